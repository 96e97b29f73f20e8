import { timingSafeEqual } from 'node:crypto';
import { Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { readUpdate, TelegramBotClient, telegramSettingsOf, type TelegramChannelSettings } from '@huiliu/adapters';
import { ConversationService, conversationChannelOf, LOGGER, type ConversationChannel } from '@huiliu/intake';
import type { Logger } from '@huiliu/platform';
import { ChannelRepository } from '@huiliu/store';

interface TelegramEndpoint {
  channel: ConversationChannel;
  settings: TelegramChannelSettings;
  secret: string;
  bot: TelegramBotClient | null;
  enabled: boolean;
  at: number;
}

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/**
 * The webhook of a Telegram channel in webhook mode. Telegram sends the secret set with setWebhook in a
 * header; a request without it is refused (401). The update is answered 2xx only once its effect is
 * durable; a failure answers 503 and Telegram delivers the update again (recognised by its update_id).
 */
@Controller('v1/channels/:name/telegram')
export class TelegramWebhookController {
  private readonly cache = new Map<string, TelegramEndpoint>();
  /** One client per bot for the life of the gateway, so getMe is asked once, not at each re-read of the channel. */
  private readonly bots = new Map<string, TelegramBotClient>();

  constructor(
    @Inject(ConversationService) private readonly conversations: ConversationService,
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post()
  async update(@Param('name') name: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const ep = await this.endpointOf(name, res);
    if (!ep) return;
    if (!secretMatches(ep.secret, req.headers[SECRET_HEADER])) {
      this.logger.warn({ channel: name }, 'telegram webhook request without the right secret');
      res.status(401).send({ ok: false, description: 'secret token missing or wrong' });
      return;
    }
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let update: Record<string, unknown>;
    try {
      update = JSON.parse(body.toString('utf8'));
    } catch {
      res.status(400).send({ ok: false, description: 'body is not JSON' });
      return;
    }
    if (typeof update?.update_id !== 'number') {
      res.status(400).send({ ok: false, description: 'not an update (no update_id)' });
      return;
    }
    // Without the bot's username (getMe failing) the update is still recorded; a group's command addressed to a
    // bot by name is then not taken.
    const botUsername = ep.bot
      ? await ep.bot.botUsername().catch((err) => {
          this.logger.warn({ err: (err as Error).message, channel: name }, 'getMe failed; asking again with the next update');
          return null;
        })
      : null;
    const reading = readUpdate(update, { botUsername });
    if (!reading.ok) this.logger.debug({ channel: name, updateId: update.update_id, reason: reading.reason }, 'telegram update is not a message');
    let outcome;
    try {
      [outcome] = await this.conversations.handle(ep.channel, [{ inboundKey: `update:${update.update_id}`, message: reading.ok ? reading.message : null, raw: update }]);
    } catch (err) {
      this.logger.error({ err, channel: name }, 'telegram update not recorded; Telegram will deliver it again');
      res.status(503).send({ ok: false, description: 'not recorded, deliver again' });
      return;
    }
    res.status(200).send({ ok: true });
    // Answers go out after the acknowledgement: a slow or failing send never makes Telegram redeliver.
    if (!outcome.duplicate && outcome.replies.length && reading.ok && ep.bot) {
      ep.bot.sendTexts(reading.message.conversationKey, outcome.replies, reading.message.ref).catch((err) => this.logger.warn({ err: (err as Error).message, channel: name }, 'telegram reply not sent'));
    }
  }

  private botOf(token: string, apiRoot: string): TelegramBotClient {
    const key = `${apiRoot}\u0000${token}`;
    let bot = this.bots.get(key);
    if (!bot) {
      bot = new TelegramBotClient(token, apiRoot);
      this.bots.set(key, bot);
    }
    return bot;
  }

  private async endpointOf(name: string, res: Response): Promise<TelegramEndpoint | null> {
    let ep = this.cache.get(name);
    if (!ep || Date.now() - ep.at > 2000) {
      const c = await this.channels.findByIdOrName(name);
      if (!c || c.type !== 'telegram') {
        res.status(404).send({ ok: false, description: `no telegram channel named ${name}` });
        return null;
      }
      let settings: TelegramChannelSettings;
      try {
        settings = telegramSettingsOf(c.settings);
      } catch {
        res.status(503).send({ ok: false, description: `channel ${name} is misconfigured` });
        return null;
      }
      const secret = typeof c.credentials.webhookSecret === 'string' ? c.credentials.webhookSecret : '';
      const token = typeof c.credentials.token === 'string' ? c.credentials.token : '';
      ep = {
        channel: conversationChannelOf(c),
        settings,
        secret,
        bot: token ? this.botOf(token, settings.apiRoot) : null,
        enabled: c.enabled,
        at: Date.now(),
      };
      this.cache.set(name, ep);
    }
    if (!ep.enabled) {
      res.status(403).send({ ok: false, description: `channel ${name} is disabled` });
      return null;
    }
    if (ep.settings.mode !== 'webhook' || !ep.secret) {
      // A polling channel takes no webhook requests: they would compete with its poller.
      res.status(409).send({ ok: false, description: `channel ${name} is not in webhook mode` });
      return null;
    }
    return ep;
  }
}

function secretMatches(expected: string, given: string | string[] | undefined): boolean {
  const value = Array.isArray(given) ? given[0] : given;
  if (typeof value !== 'string' || expected === '') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(value);
  return a.length === b.length && timingSafeEqual(a, b);
}
