import { Api, TelegramApiError, type TransportOptions } from 'node-telegram-bot-api';
import { chatOfConversation, isGroupConversation, messageIdOfRef } from './telegram-conversation.util';

/** The longest text the Bot API accepts in one message. */
export const TELEGRAM_MAX_TEXT = 4096;

const GET_ME_TIMEOUT_MS = 10_000;
const GET_ME_RETRY_MS = 5_000;

/** The chat to answer a conversation in, as the Bot API wants it: a number when it is one, else the string (an @channel name). */
export function chatIdOf(conversationKey: string): number | string {
  const chat = chatOfConversation(conversationKey);
  const n = Number(chat);
  return Number.isSafeInteger(n) ? n : chat;
}

/**
 * The seam to the Bot API for one bot: every call the Telegram channel makes goes through here (and, in tests,
 * to a local server speaking the same wire format through `apiRoot`).
 */
export class TelegramBotClient {
  /** Calls that must surface every error at once (the poll loop decides how to wait). */
  readonly strict: Api;
  /** Calls that may wait out a short flood limit (retry_after) and a transient failure by themselves. */
  readonly patient: Api;
  private username: Promise<string | null> | null = null;
  private askAgainAt = 0;

  constructor(
    readonly token: string,
    readonly apiRoot: string,
    options: Pick<TransportOptions, 'timeoutMs'> = {},
  ) {
    this.strict = new Api(token, { apiRoot, maxRetries: 0, ...options });
    this.patient = new Api(token, { apiRoot, maxRetries: 3, retryBackoffMs: 300, maxRetryAfterMs: 30_000, ...options });
  }

  /**
   * Sends texts into a conversation's chat, in order; a text over the limit is cut, never refused. In a group
   * each answer replies to the member's message (`replyToRef`, a `<chat>:<message>` ref), so it is plain whom
   * it is for; it is sent all the same when that message is gone.
   */
  async sendTexts(conversationKey: string, texts: string[], replyToRef?: string | null): Promise<void> {
    const replyTo = isGroupConversation(conversationKey) ? messageIdOfRef(replyToRef) : null;
    for (const text of texts) {
      const body = text.length > TELEGRAM_MAX_TEXT ? `${text.slice(0, TELEGRAM_MAX_TEXT - 1)}…` : text;
      await this.patient.sendMessage({
        chat_id: chatIdOf(conversationKey),
        text: body,
        ...(replyTo !== null ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
      });
    }
  }

  /**
   * The bot's own username (getMe), asked once and kept for the life of this client: it tells a group's
   * commands for this bot from those for another. A failure is not kept, but for a few seconds it answers
   * at once instead of asking again, so a caller that asks per update is not held up by an unreachable API.
   */
  botUsername(signal?: AbortSignal): Promise<string | null> {
    if (!this.username) {
      if (Date.now() < this.askAgainAt) return Promise.reject(new Error('getMe failed moments ago'));
      const timeout = AbortSignal.timeout(GET_ME_TIMEOUT_MS);
      this.username = this.strict.getMe(signal ? AbortSignal.any([signal, timeout]) : timeout).then(
        (me) => me.username ?? null,
        (err) => {
          this.username = null;
          this.askAgainAt = Date.now() + GET_ME_RETRY_MS;
          throw err;
        },
      );
    }
    return this.username;
  }

  /** The URL of a file the Bot API serves after getFile. */
  fileUrl(filePath: string): string {
    return `${this.apiRoot.replace(/\/+$/, '')}/file/bot${this.token}/${filePath.replace(/^\/+/, '')}`;
  }
}

export function isTelegramApiError(err: unknown, code?: number): err is TelegramApiError {
  return err instanceof TelegramApiError && (code === undefined || err.errorCode === code);
}
