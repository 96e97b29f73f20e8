import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import {
  answerWechatVerification,
  buildEncryptedReply,
  buildTextReply,
  decryptMessage,
  openWechatPush,
  parseWechatXml,
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

interface WechatEndpoint {
  channel: ConversationChannel;
  settings: WechatChannelSettings;
  endpoint: WechatEndpointSettings;
  enabled: boolean;
  at: number;
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
  private readonly cache = new Map<string, WechatEndpoint>();

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
      const opened = openWechatPush(query, body, ep.endpoint);
      element = opened.message;
      encrypted = opened.encrypted;
      // The raw original kept is the push as WeChat meant it: the decrypted inner XML in safe mode.
      xml = encrypted ? decryptMessage(textOf(parseWechatXml(body), 'Encrypt') ?? '', cryptoOf(ep.endpoint)) : body.toString('utf8');
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

  /** The channel's endpoint settings, cached for two seconds (an operator's change applies within seconds). */
  private async endpointOf(name: string, res: Response): Promise<WechatEndpoint | null> {
    let ep = this.cache.get(name);
    if (!ep || Date.now() - ep.at > 2000) {
      const c = await this.channels.findByIdOrName(name);
      if (!c || c.type !== 'wechat') {
        res.status(404).type('text/plain').send(`no wechat channel named ${name}`);
        return null;
      }
      const token = typeof c.credentials.token === 'string' ? c.credentials.token : '';
      const aes = typeof c.credentials.encodingAesKey === 'string' && c.credentials.encodingAesKey ? c.credentials.encodingAesKey : null;
      let settings: WechatChannelSettings;
      try {
        settings = wechatSettingsOf(c.settings);
      } catch {
        res.status(503).type('text/plain').send(`channel ${name} is misconfigured`);
        return null;
      }
      if (!token) {
        res.status(503).type('text/plain').send(`channel ${name} has no token`);
        return null;
      }
      ep = {
        channel: conversationChannelOf(c),
        settings,
        endpoint: { token, encodingAesKey: aes, appId: settings.appId ?? null, maxSkewSeconds: settings.maxSkewSeconds },
        enabled: c.enabled,
        at: Date.now(),
      };
      this.cache.set(name, ep);
    }
    if (!ep.enabled) {
      res.status(403).type('text/plain').send(`channel ${name} is disabled`);
      return null;
    }
    return ep;
  }
}

function cryptoOf(e: WechatEndpointSettings): { encodingAesKey: string; appId: string } {
  return { encodingAesKey: e.encodingAesKey ?? '', appId: e.appId ?? '' };
}
