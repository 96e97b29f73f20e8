import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import {
  answerWechatVerification,
  buildEncryptedReply,
  buildTextReply,
  openWechatPush,
  textOf,
  wechatMessageOf,
  WechatRejectedError,
  wechatSettingsOf,
  type WechatChannelSettings,
  type WechatEndpointSettings,
} from '@huiliu/adapters';
import { ConversationService, conversationChannelOf, LOGGER, type ConversationChannel } from '@huiliu/intake';
import type { Logger } from '@huiliu/platform';
import { ChannelRepository } from '@huiliu/store';
import { SharedLookup } from '../http/shared-lookup';

interface WechatEndpoint {
  channel: ConversationChannel;
  settings: WechatChannelSettings;
  endpoint: WechatEndpointSettings;
  enabled: boolean;
}

/** A channel that cannot take pushes: the answer every request gets until the entry expires. */
interface EndpointRefusal {
  status: number;
  message: string;
}

/** Rejections that mean "not WeChat speaking" (401) rather than "WeChat sent something broken" (400). */
const UNAUTHORIZED = new Set(['bad_signature', 'stale_timestamp', 'app_id_mismatch', 'bad_padding', 'bad_ciphertext', 'bad_length']);

/**
 * The push endpoint of a WeChat official account channel: `GET` answers the URL verification, `POST` takes
 * a push, records it durably (as part of its follower's draft, or as a submission) and answers with the
 * passive reply, encrypted in safe mode. A repeat of a push (WeChat retries after 5 s) is answered the same
 * and recorded once.
 */
@Controller('v1/channels/:name/wechat')
export class WechatPushController {
  /** The channel's endpoint settings, briefly cached and shared by concurrent pushes. */
  private readonly endpoints = new SharedLookup<WechatEndpoint | EndpointRefusal>((name) => this.channels.findByIdOrName(name).then((c) => endpointFrom(name, c)));

  constructor(
    @Inject(ConversationService) private readonly conversations: ConversationService,
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  async verify(@Param('name') name: string, @Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const ep = await this.endpointOf(name, res);
    if (!ep) return;
    try {
      res.status(200).type('text/plain').send(answerWechatVerification(query, ep.endpoint));
    } catch (err) {
      this.refuse(res, name, err);
    }
  }

  @Post()
  async push(@Param('name') name: string, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const ep = await this.endpointOf(name, res);
    if (!ep) return;
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let element;
    let encrypted: boolean;
    let xml: string;
    try {
      // The raw original kept is the push as WeChat meant it: the decrypted inner XML in safe mode.
      ({ message: element, encrypted, xml } = openWechatPush(query, body, ep.endpoint));
    } catch (err) {
      this.refuse(res, name, err);
      return;
    }
    let message;
    try {
      message = wechatMessageOf(element);
    } catch (err) {
      this.refuse(res, name, err);
      return;
    }
    let replies: string[];
    try {
      const [outcome] = await this.conversations.handle(ep.channel, [{ inboundKey: message.ref, message, raw: xml }]);
      replies = outcome.replies;
    } catch (err) {
      // Nothing was recorded: WeChat retries, and the retry is taken as the first delivery.
      this.logger.error({ err, channel: name }, 'wechat push not recorded');
      res.status(503).type('text/plain').send('temporarily unavailable');
      return;
    }
    const content = replies.join('\n\n');
    if (!ep.settings.passiveReplies || content === '') {
      res.status(200).type('text/plain').send('success');
      return;
    }
    const reply = buildTextReply({ to: message.sender.handle, from: textOf(element, 'ToUserName') ?? '', content, createTime: Date.now() / 1000 });
    if (!encrypted) {
      res.status(200).type('application/xml').send(reply);
      return;
    }
    const timestamp = typeof query.timestamp === 'string' ? query.timestamp : String(Math.floor(Date.now() / 1000));
    const nonce = typeof query.nonce === 'string' ? query.nonce : '';
    res
      .status(200)
      .type('application/xml')
      .send(buildEncryptedReply(reply, { ...cryptoOf(ep.endpoint), token: ep.endpoint.token, timestamp, nonce }));
  }

  private refuse(res: Response, name: string, err: unknown): void {
    if (!(err instanceof WechatRejectedError)) throw err;
    const status = UNAUTHORIZED.has(err.code) ? 401 : err.code === 'too_large' ? 413 : 400;
    this.logger.warn({ channel: name, code: err.code }, 'wechat request refused');
    res.status(status).type('text/plain').send(err.code);
  }

  private async endpointOf(name: string, res: Response): Promise<WechatEndpoint | null> {
    const ep = await this.endpoints.get(name);
    if ('status' in ep) {
      res.status(ep.status).type('text/plain').send(ep.message);
      return null;
    }
    if (!ep.enabled) {
      res.status(403).type('text/plain').send(`channel ${name} is disabled`);
      return null;
    }
    return ep;
  }
}

function endpointFrom(name: string, c: Awaited<ReturnType<ChannelRepository['findByIdOrName']>>): WechatEndpoint | EndpointRefusal {
  if (!c || c.type !== 'wechat') return { status: 404, message: `no wechat channel named ${name}` };
  const token = typeof c.credentials.token === 'string' ? c.credentials.token : '';
  const aes = typeof c.credentials.encodingAesKey === 'string' && c.credentials.encodingAesKey ? c.credentials.encodingAesKey : null;
  let settings: WechatChannelSettings;
  try {
    settings = wechatSettingsOf(c.settings);
  } catch {
    return { status: 503, message: `channel ${name} is misconfigured` };
  }
  if (!token) return { status: 503, message: `channel ${name} has no token` };
  return {
    channel: conversationChannelOf(c),
    settings,
    endpoint: { token, encodingAesKey: aes, appId: settings.appId ?? null, maxSkewSeconds: settings.maxSkewSeconds },
    enabled: c.enabled,
  };
}

function cryptoOf(e: WechatEndpointSettings): { encodingAesKey: string; appId: string } {
  return { encodingAesKey: e.encodingAesKey ?? '', appId: e.appId ?? '' };
}
