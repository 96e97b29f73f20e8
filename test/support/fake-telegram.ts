import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback server that speaks the Telegram Bot API wire format, so the Telegram channel can be tested
 * with the real client library and no network. It follows the public API where the channel depends on
 * it: the `{ ok, result | error_code, description, parameters }` envelope with the HTTP status equal to
 * `error_code`, confirmation of updates by `offset`, one long poll per bot (a newer one terminates the
 * older with 409), 409 for getUpdates while a webhook is set, webhook redelivery until a 2xx, and file
 * links that expire. Faults (status answers, dropped connections) are injected per method.
 *
 * Routes: `/bot<token>/<method>` (GET query, POST urlencoded, JSON or multipart; the query string and
 * the body are merged as Telegram does) and `GET /file/bot<token>/<file_path>`.
 */

// ---------------------------------------------------------------------------------------------------
// Wire shapes (only the fields the fake fills; the index signatures keep extra fields legal)

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  [key: string]: unknown;
}

export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
  [key: string]: unknown;
}

export interface TgEntity {
  type: string;
  offset: number;
  length: number;
  [key: string]: unknown;
}

export interface TgPhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size?: number;
}

export interface TgDocument {
  file_id: string;
  file_unique_id: string;
  file_name?: string;
  mime_type?: string;
  file_size?: number;
}

export interface TgMessage {
  message_id: number;
  from?: TgUser;
  chat: TgChat;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: TgEntity[];
  caption?: string;
  caption_entities?: TgEntity[];
  photo?: TgPhotoSize[];
  document?: TgDocument;
  location?: { latitude: number; longitude: number; horizontal_accuracy?: number };
  media_group_id?: string;
  reply_markup?: unknown;
  [key: string]: unknown;
}

export interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message?: TgMessage;
  chat_instance: string;
  data?: string;
}

/** An update before the server numbers it. */
export interface UpdateBody {
  message?: TgMessage;
  edited_message?: TgMessage;
  channel_post?: TgMessage;
  callback_query?: TgCallbackQuery;
  [key: string]: unknown;
}

export interface TgUpdate extends UpdateBody {
  update_id: number;
}

export interface TgFile {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_path?: string;
}

// ---------------------------------------------------------------------------------------------------
// Records and options

export interface RecordedRequest {
  token: string;
  /** Canonical method name (`sendMessage`), or `download` for a file download. */
  method: string;
  httpMethod: string;
  contentType: string | undefined;
  /** Query and body merged; form values stay strings, JSON values keep their types. */
  params: Record<string, unknown>;
  at: number;
  /**
   * HTTP status answered; `dropped` when the server cut the connection; `client-closed` when the client
   * went away while its long poll was held; undefined while still held.
   */
  outcome?: number | 'dropped' | 'client-closed';
}

export interface SentMessage {
  chat_id: string | number;
  text: string;
  /** The request parameters, with JSON-valued fields (reply_markup, entities, …) parsed. */
  params: Record<string, unknown>;
  message: TgMessage;
}

export interface WebhookAttempt {
  update_id: number;
  /** 1 for the first delivery of this update, 2 for the first redelivery, … */
  attempt: number;
  at: number;
  status?: number;
  error?: string;
  secretToken?: string;
  ok: boolean;
}

export interface Fault {
  status: number;
  retry_after?: number;
  description?: string;
  parameters?: Record<string, unknown>;
  /** How many consecutive calls fail (default 1). */
  times?: number;
  /** Only for this bot; every bot when absent. */
  token?: string;
}

export interface DropFault {
  times?: number;
  token?: string;
  /** Downloads only: send the headers and this many body bytes, then cut. */
  afterBytes?: number;
}

export interface RegisterFileOptions {
  /** Folder of the issued file_path, as Telegram names them: photos, documents, voice, videos, … */
  kind?: 'photos' | 'documents' | 'voice' | 'videos' | 'animations' | 'music' | 'stickers';
  fileName?: string;
  mimeType?: string;
  width?: number;
  height?: number;
  /** Reported size, when it must differ from the bytes (e.g. to exceed the 20 MB getFile limit). */
  declaredSize?: number;
}

/** A registered file as it appears inside messages (photo sizes, documents). */
export interface FileRef {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  width?: number;
  height?: number;
  file_name?: string;
  mime_type?: string;
}

export interface FakeTelegramOptions {
  /** First update_id of each bot; Telegram starts bots at arbitrary large numbers. */
  firstUpdateId?: number;
  /** First delay between webhook redeliveries; it doubles up to `webhookRetryMaxMs`. */
  webhookRetryBaseMs?: number;
  webhookRetryMaxMs?: number;
  /** How long a webhook receiver may take to answer before the attempt counts as failed. */
  webhookTimeoutMs?: number;
}

/** Pseudo-method under which file downloads are logged and faulted. */
export const DOWNLOAD = 'download';

export const MAX_MESSAGE_LENGTH = 4096;
/** Bots may download files up to 20 MB through getFile. */
export const MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024;

const CONFLICT_OTHER_POLL = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
const CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
// Telegram leaves these out unless they are asked for by name in allowed_updates.
const OPT_IN_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const SECRET_TOKEN_RE = /^[A-Za-z0-9_-]{1,256}$/;

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden: bot was blocked by the user',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

// ---------------------------------------------------------------------------------------------------
// Update builders: plain data, numbered by `queueUpdate`

export const DEFAULT_USER: TgUser = {
  id: 5_123_456_789,
  is_bot: false,
  first_name: '明',
  last_name: '李',
  username: 'liming_sz',
  language_code: 'zh-hans',
};

export function privateChat(user: TgUser = DEFAULT_USER): TgChat {
  return { id: user.id, type: 'private', first_name: user.first_name, last_name: user.last_name, username: user.username };
}

let messageSeq = 1000;
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface MessageBase {
  from?: TgUser;
  chat?: TgChat;
  date?: number;
  message_id?: number;
}

function baseMessage(o: MessageBase): TgMessage {
  const from = o.from ?? DEFAULT_USER;
  return { message_id: o.message_id ?? ++messageSeq, from, chat: o.chat ?? privateChat(from), date: o.date ?? nowSeconds() };
}

/** A length in UTF-16 code units, the unit of Telegram entity offsets. */
const utf16Length = (s: string) => s.length;

export function textMessage(o: MessageBase & { text: string; entities?: TgEntity[] }): UpdateBody {
  return { message: { ...baseMessage(o), text: o.text, ...(o.entities ? { entities: o.entities } : {}) } };
}

/** `/start` (or any command) with its bot_command entity, as a client sends it; `args` follow a space. */
export function commandMessage(command: string, args?: string, o: MessageBase = {}): UpdateBody {
  const cmd = command.startsWith('/') ? command : `/${command}`;
  const text = args ? `${cmd} ${args}` : cmd;
  return textMessage({ ...o, text, entities: [{ type: 'bot_command', offset: 0, length: utf16Length(cmd) }] });
}

/**
 * A photo message. Telegram sends several sizes of the same picture, smallest first; pass the
 * registered files (each with width/height) in that order.
 */
export function photoMessage(o: MessageBase & { sizes: FileRef[]; caption?: string; caption_entities?: TgEntity[]; media_group_id?: string }): UpdateBody {
  const photo = o.sizes.map((f) => ({
    file_id: f.file_id,
    file_unique_id: f.file_unique_id,
    file_size: f.file_size,
    width: f.width ?? 90,
    height: f.height ?? 90,
  }));
  return {
    message: {
      ...baseMessage(o),
      photo,
      ...(o.caption !== undefined ? { caption: o.caption } : {}),
      ...(o.caption_entities ? { caption_entities: o.caption_entities } : {}),
      ...(o.media_group_id ? { media_group_id: o.media_group_id } : {}),
    },
  };
}

export function documentMessage(o: MessageBase & { document: FileRef; caption?: string }): UpdateBody {
  const d = o.document;
  const document: TgDocument = { file_id: d.file_id, file_unique_id: d.file_unique_id, file_size: d.file_size };
  if (d.file_name) document.file_name = d.file_name;
  if (d.mime_type) document.mime_type = d.mime_type;
  return { message: { ...baseMessage(o), document, ...(o.caption !== undefined ? { caption: o.caption } : {}) } };
}

export function locationMessage(o: MessageBase & { latitude: number; longitude: number; horizontal_accuracy?: number }): UpdateBody {
  const location: TgMessage['location'] = { latitude: o.latitude, longitude: o.longitude };
  if (o.horizontal_accuracy !== undefined) location!.horizontal_accuracy = o.horizontal_accuracy;
  return { message: { ...baseMessage(o), location } };
}

/** An edit of an earlier text message: same message_id and date, new text, an edit_date. */
export function editedTextMessage(original: UpdateBody, text: string, editDate = nowSeconds()): UpdateBody {
  const m = original.message;
  if (!m) throw new Error('editedTextMessage needs an update with a message');
  // The old entities described the old text.
  const { entities: _old, ...rest } = m;
  return { edited_message: { ...rest, text, edit_date: editDate } };
}

/** `message` is the bot's own message carrying the inline keyboard (e.g. what sendMessage returned). */
export function callbackQuery(o: { data: string; from?: TgUser; message?: object; id?: string }): UpdateBody {
  const from = o.from ?? DEFAULT_USER;
  return {
    callback_query: {
      id: o.id ?? randomBytes(8).readBigUInt64BE().toString(),
      from,
      chat_instance: String(-from.id * 7),
      ...(o.message ? { message: o.message as TgMessage } : {}),
      data: o.data,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Server

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

interface PendingPoll {
  limit: number;
  timer: NodeJS.Timeout;
  /** Null when the poll ends without an answer (the connection is gone). */
  finish: (a: Answer | null) => void;
}

interface StoredFile extends FileRef {
  bytes: Buffer;
  kind: string;
  /** The link handed out by the last getFile, null once it expired. */
  path: string | null;
}

interface BotState {
  token: string;
  me: TgUser & { can_join_groups: boolean; can_read_all_group_messages: boolean; supports_inline_queries: boolean };
  nextUpdateId: number;
  queue: TgUpdate[];
  /** Null means Telegram's default set (everything but the opt-in kinds). */
  allowedUpdates: string[] | null;
  poll: PendingPoll | null;
  webhook: { url: string; secretToken?: string; maxConnections: number; allowedUpdates?: string[]; generation: number } | null;
  webhookGeneration: number;
  lastError: { date: number; message: string } | null;
  delivering: boolean;
  attempts: WebhookAttempt[];
  sent: SentMessage[];
  nextMessageId: number;
  files: Map<string, StoredFile>;
  filePaths: Map<string, string>;
  fileSeq: number;
  openCallbackQueries: Set<string>;
  answeredCallbackQueries: Array<Record<string, unknown>>;
}

type Params = Record<string, unknown>;

const ok = (result: unknown, description?: string): Answer => ({ status: 200, body: { ok: true, result, ...(description ? { description } : {}) } });
const fail = (status: number, description: string, parameters?: Record<string, unknown>): Answer => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

export class FakeTelegram {
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly bots = new Map<string, BotState>();
  private readonly log: RecordedRequest[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private readonly drops = new Map<string, DropFault[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly outgoing = new Set<http.ClientRequest>();
  private stopped = false;
  url = '';

  constructor(private readonly options: FakeTelegramOptions = {}) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: Error) => this.write(res, fail(500, `Internal Server Error: ${err.message}`)));
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.outgoing) r.destroy();
    for (const bot of this.bots.values()) {
      if (bot.poll) this.finishPoll(bot, ok([]));
      bot.webhook = null;
    }
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  // ------------------------------------------------------------------ bots, updates, files

  /** Makes a token known; requests with an unknown token answer 401 Unauthorized. */
  addBot(token: string, info: { username?: string; first_name?: string } = {}): TgUser {
    const me = this.bot(token).me;
    if (info.username) me.username = info.username;
    if (info.first_name) me.first_name = info.first_name;
    return me;
  }

  /** Queues an update (numbered with the bot's next update_id) and wakes a held long poll or the webhook. */
  queueUpdate(token: string, update: UpdateBody): TgUpdate {
    const bot = this.bot(token);
    const numbered: TgUpdate = { ...update, update_id: bot.nextUpdateId++ };
    bot.queue.push(numbered);
    if (numbered.callback_query) bot.openCallbackQueries.add(numbered.callback_query.id);
    if (bot.poll) {
      const batch = this.batch(bot, bot.poll.limit);
      if (batch.length > 0) this.finishPoll(bot, ok(batch));
    }
    if (bot.webhook) this.pumpWebhook(bot);
    return numbered;
  }

  /** Registers bytes behind a new file_id; put the returned ref into photo/document updates. */
  registerFile(token: string, bytes: Buffer | Uint8Array, o: RegisterFileOptions = {}): FileRef {
    const bot = this.bot(token);
    const kind = o.kind ?? 'documents';
    // Telegram file ids are opaque base64url strings whose prefix depends on the kind of file.
    const prefix = kind === 'photos' ? 'AgACAgUAAxkBAAI' : 'BQACAgUAAxkBAAI';
    const ref: FileRef = {
      file_id: prefix + randomBytes(30).toString('base64url'),
      file_unique_id: 'AQAD' + randomBytes(9).toString('base64url'),
      file_size: o.declaredSize ?? bytes.length,
    };
    if (o.width !== undefined) ref.width = o.width;
    if (o.height !== undefined) ref.height = o.height;
    if (o.fileName) ref.file_name = o.fileName;
    if (o.mimeType) ref.mime_type = o.mimeType;
    bot.files.set(ref.file_id, { ...ref, bytes: Buffer.from(bytes), kind, path: null });
    return ref;
  }

  /** Makes the current download link(s) answer 404; the next getFile hands out a new file_path. */
  expireFileLinks(token: string, fileId?: string): void {
    const bot = this.bot(token);
    for (const f of bot.files.values()) {
      if (fileId !== undefined && f.file_id !== fileId) continue;
      if (f.path) bot.filePaths.delete(f.path);
      f.path = null;
    }
  }

  // ------------------------------------------------------------------ faults

  /** The next call(s) of `method` answer with this error instead of running. `method` may be `download`. */
  failNext(method: string, fault: Fault): void {
    const key = method.toLowerCase();
    const list = this.faults.get(key) ?? [];
    list.push({ times: 1, ...fault });
    this.faults.set(key, list);
  }

  /** The next call(s) of `method` get their connection cut without an answer. */
  dropNext(method: string, drop: DropFault = {}): void {
    const key = method.toLowerCase();
    const list = this.drops.get(key) ?? [];
    list.push({ times: 1, ...drop });
    this.drops.set(key, list);
  }

  /** Cuts every open connection now, held long polls included. */
  dropAllConnections(): void {
    for (const bot of this.bots.values()) {
      const poll = bot.poll;
      if (poll) {
        clearTimeout(poll.timer);
        bot.poll = null;
        poll.finish(null);
      }
    }
    for (const r of this.log) if (r.outcome === undefined) r.outcome = 'dropped';
    for (const s of this.sockets) s.destroy();
  }

  // ------------------------------------------------------------------ assertions

  sentMessages(token: string): SentMessage[] {
    return [...this.bot(token).sent];
  }

  requests(token: string, method?: string): RecordedRequest[] {
    const m = method?.toLowerCase();
    return this.log.filter((r) => r.token === token && (m === undefined || r.method.toLowerCase() === m));
  }

  webhookAttempts(token: string): WebhookAttempt[] {
    return [...this.bot(token).attempts];
  }

  answeredCallbackQueries(token: string): Array<Record<string, unknown>> {
    return [...this.bot(token).answeredCallbackQueries];
  }

  /** Updates not yet confirmed (by offset or by a 2xx webhook answer). */
  pendingUpdates(token: string): TgUpdate[] {
    return [...this.bot(token).queue];
  }

  /** Whether a getUpdates long poll is being held for this bot right now. */
  isPolling(token: string): boolean {
    return this.bot(token).poll !== null;
  }

  fileDownloadUrl(token: string, filePath: string): string {
    return `${this.url}/file/bot${token}/${filePath}`;
  }

  // ------------------------------------------------------------------ HTTP

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const api = /^\/bot([^/]+)\/([A-Za-z_]+)\/?$/.exec(url.pathname);
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (!api && !file) return this.write(res, fail(404, 'Not Found'));
    const token = decodeURIComponent((api ?? file)![1]);
    const method = api ? canonicalMethod(api[2]) : DOWNLOAD;

    let params: Params = {};
    if (api) {
      try {
        params = { ...Object.fromEntries(url.searchParams), ...(await readParams(req)) };
      } catch {
        return this.write(res, fail(400, 'Bad Request: invalid request body'));
      }
    }
    const record: RecordedRequest = { token, method, httpMethod: req.method ?? 'GET', contentType: req.headers['content-type'], params, at: Date.now() };
    const bot = this.bots.get(token);
    if (bot) this.log.push(record);
    const answer = (a: Answer) => {
      record.outcome = a.status;
      this.write(res, a);
    };
    if (!bot) return answer(fail(api ? 401 : 404, api ? 'Unauthorized' : 'Not Found'));

    const drop = this.take(this.drops, method, token);
    if (drop) {
      record.outcome = 'dropped';
      if (method === DOWNLOAD && drop.afterBytes !== undefined) this.download(bot, file![2], res, drop.afterBytes);
      else req.socket.destroy();
      return;
    }
    const fault = this.take(this.faults, method, token);
    if (fault) return answer(faultAnswer(fault));

    if (method === DOWNLOAD) {
      record.outcome = this.download(bot, file![2], res);
      return;
    }
    if (method === 'getUpdates') {
      const a = await this.getUpdates(bot, params, res);
      if (a) answer(a);
      else record.outcome = record.outcome ?? 'client-closed';
      return;
    }
    answer(this.call(bot, method, params));
  }

  private write(res: http.ServerResponse, a: Answer): void {
    if (res.writableEnded || res.destroyed) return;
    const body = JSON.stringify(a.body);
    res.writeHead(a.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private take<T extends { times?: number; token?: string }>(table: Map<string, T[]>, method: string, token: string): T | undefined {
    const list = table.get(method.toLowerCase());
    const i = list?.findIndex((f) => f.token === undefined || f.token === token) ?? -1;
    if (!list || i < 0) return undefined;
    const f = list[i];
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) list.splice(i, 1);
    return f;
  }

  // ------------------------------------------------------------------ methods

  /** Every method but getUpdates answers at once; also used for a method returned in a webhook reply. */
  private call(bot: BotState, method: string, p: Params): Answer {
    switch (method) {
      case 'getMe':
        return ok(bot.me);
      case 'sendMessage':
        return this.sendMessage(bot, p);
      case 'sendChatAction':
        return p.chat_id === undefined ? fail(400, 'Bad Request: chat_id is empty') : ok(true);
      case 'answerCallbackQuery': {
        const id = p.callback_query_id === undefined ? '' : String(p.callback_query_id);
        if (!bot.openCallbackQueries.delete(id)) return fail(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        bot.answeredCallbackQueries.push(p);
        return ok(true);
      }
      case 'setWebhook':
        return this.setWebhook(bot, p);
      case 'deleteWebhook': {
        const had = bot.webhook !== null;
        bot.webhook = null;
        bot.webhookGeneration++;
        if (truthy(p.drop_pending_updates)) bot.queue = [];
        return ok(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
      }
      case 'getWebhookInfo':
        return ok(this.webhookInfo(bot));
      case 'getFile':
        return this.getFile(bot, p);
      default:
        return fail(404, 'Not Found');
    }
  }

  private sendMessage(bot: BotState, p: Params): Answer {
    if (p.chat_id === undefined || p.chat_id === '') return fail(400, 'Bad Request: chat_id is empty');
    const text = p.text === undefined ? '' : String(p.text);
    if (text.trim() === '') return fail(400, 'Bad Request: message text is empty');
    if (text.length > MAX_MESSAGE_LENGTH) return fail(400, 'Bad Request: message is too long');
    let parsed: Params;
    try {
      parsed = parseJsonFields(p, ['reply_markup', 'entities', 'link_preview_options', 'reply_parameters']);
    } catch {
      return fail(400, "Bad Request: can't parse reply keyboard markup JSON object");
    }
    const chatId = typeof p.chat_id === 'number' ? p.chat_id : /^-?\d+$/.test(String(p.chat_id)) ? Number(p.chat_id) : String(p.chat_id);
    const chat: TgChat = typeof chatId === 'number' ? { id: chatId, type: chatId > 0 ? 'private' : 'supergroup' } : { id: -100_000_000_001, type: 'channel', username: chatId.replace(/^@/, '') };
    const message: TgMessage = { message_id: bot.nextMessageId++, from: bot.me, chat, date: nowSeconds(), text };
    if (Array.isArray(parsed.entities)) message.entities = parsed.entities as TgEntity[];
    // Only inline keyboards are echoed back on the sent message.
    const markup = parsed.reply_markup as { inline_keyboard?: unknown } | undefined;
    if (markup?.inline_keyboard) message.reply_markup = markup;
    bot.sent.push({ chat_id: chatId, text, params: parsed, message });
    return ok(message);
  }

  private setWebhook(bot: BotState, p: Params): Answer {
    const url = p.url === undefined ? '' : String(p.url);
    if (url === '') {
      const had = bot.webhook !== null;
      bot.webhook = null;
      bot.webhookGeneration++;
      return ok(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
    }
    if (!/^https?:\/\//.test(url)) return fail(400, 'Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
    const secretToken = p.secret_token === undefined || p.secret_token === '' ? undefined : String(p.secret_token);
    if (secretToken !== undefined && !SECRET_TOKEN_RE.test(secretToken)) return fail(400, 'Bad Request: secret token contains unallowed characters');
    let allowed: string[] | undefined;
    try {
      allowed = p.allowed_updates === undefined ? undefined : (asJson(p.allowed_updates) as string[]);
    } catch {
      return fail(400, "Bad Request: can't parse allowed updates JSON object");
    }
    if (allowed !== undefined) bot.allowedUpdates = allowed.length ? allowed : null;
    if (truthy(p.drop_pending_updates)) bot.queue = [];
    const same = bot.webhook?.url === url;
    bot.webhookGeneration++;
    bot.webhook = { url, secretToken, maxConnections: Number(p.max_connections ?? 40), allowedUpdates: allowed, generation: bot.webhookGeneration };
    bot.lastError = null;
    // A long poll held when the webhook is set ends with the webhook conflict.
    if (bot.poll) this.finishPoll(bot, fail(409, CONFLICT_WEBHOOK));
    this.pumpWebhook(bot);
    return ok(true, same ? 'Webhook is already set' : 'Webhook was set');
  }

  private webhookInfo(bot: BotState): Record<string, unknown> {
    const info: Record<string, unknown> = { url: bot.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.visible(bot).length };
    if (bot.webhook) {
      info.max_connections = bot.webhook.maxConnections;
      info.ip_address = '127.0.0.1';
      if (bot.webhook.allowedUpdates) info.allowed_updates = bot.webhook.allowedUpdates;
    }
    if (bot.lastError) {
      info.last_error_date = bot.lastError.date;
      info.last_error_message = bot.lastError.message;
    }
    return info;
  }

  private getFile(bot: BotState, p: Params): Answer {
    const f = bot.files.get(String(p.file_id ?? ''));
    if (!f) return fail(400, 'Bad Request: invalid file_id');
    if (f.file_size > MAX_DOWNLOAD_SIZE) return fail(400, 'Bad Request: file is too big');
    if (!f.path) {
      const ext = extensionOf(f);
      f.path = `${f.kind}/file_${bot.fileSeq++}${ext}`;
      bot.filePaths.set(f.path, f.file_id);
    }
    const result: TgFile = { file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.file_size, file_path: f.path };
    return ok(result);
  }

  private download(bot: BotState, rawPath: string, res: http.ServerResponse, cutAfter?: number): number | 'dropped' {
    const path = decodeURIComponent(rawPath);
    const fileId = bot.filePaths.get(path);
    const f = fileId ? bot.files.get(fileId) : undefined;
    if (!f) {
      this.write(res, fail(404, 'Not Found'));
      return 404;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': f.bytes.length });
    if (cutAfter !== undefined) {
      res.write(f.bytes.subarray(0, cutAfter), () => res.socket?.destroy());
      return 'dropped';
    }
    res.end(f.bytes);
    return 200;
  }

  // ------------------------------------------------------------------ long polling

  private async getUpdates(bot: BotState, p: Params, res: http.ServerResponse): Promise<Answer | null> {
    if (bot.webhook) return fail(409, CONFLICT_WEBHOOK);
    const offset = p.offset === undefined ? undefined : Number(p.offset);
    const limit = Math.min(100, Math.max(1, p.limit === undefined ? 100 : Number(p.limit)));
    const timeout = Math.max(0, p.timeout === undefined ? 0 : Number(p.timeout));
    if (p.allowed_updates !== undefined) {
      try {
        const allowed = asJson(p.allowed_updates) as string[];
        bot.allowedUpdates = allowed.length ? allowed : null;
      } catch {
        return fail(400, "Bad Request: can't parse allowed updates JSON object");
      }
    }
    if (offset !== undefined && Number.isFinite(offset)) this.confirm(bot, offset);
    // One long poll per bot: a new request terminates the one being held.
    if (bot.poll) this.finishPoll(bot, fail(409, CONFLICT_OTHER_POLL));

    const ready = this.batch(bot, limit);
    if (ready.length > 0 || timeout === 0) return ok(ready);
    return new Promise<Answer | null>((resolve) => {
      const poll: PendingPoll = {
        limit,
        timer: setTimeout(() => this.finishPoll(bot, ok([])), timeout * 1000),
        finish: resolve,
      };
      bot.poll = poll;
      res.on('close', () => {
        // The client gave up (abort, timeout, cut connection): forget the poll without answering.
        if (bot.poll === poll) {
          clearTimeout(poll.timer);
          bot.poll = null;
          resolve(null);
        }
      });
    });
  }

  private finishPoll(bot: BotState, a: Answer | null): void {
    const poll = bot.poll;
    if (!poll) return;
    clearTimeout(poll.timer);
    bot.poll = null;
    poll.finish(a);
  }

  /** Offset semantics of getUpdates: ids below a positive offset are confirmed; -n keeps the last n. */
  private confirm(bot: BotState, offset: number): void {
    if (offset < 0) bot.queue = bot.queue.slice(offset);
    else bot.queue = bot.queue.filter((u) => u.update_id >= offset);
  }

  /** Drops queued updates the bot did not subscribe to, then returns the first `limit`. */
  private batch(bot: BotState, limit: number): TgUpdate[] {
    bot.queue = this.visible(bot);
    return bot.queue.slice(0, limit);
  }

  private visible(bot: BotState): TgUpdate[] {
    return bot.queue.filter((u) => {
      const kind = Object.keys(u).find((k) => k !== 'update_id');
      if (!kind) return false;
      return bot.allowedUpdates ? bot.allowedUpdates.includes(kind) : !OPT_IN_UPDATES.has(kind);
    });
  }

  // ------------------------------------------------------------------ webhook delivery

  /** Delivers queued updates one at a time, in order; a failed delivery is repeated after a backoff. */
  private pumpWebhook(bot: BotState): void {
    if (bot.delivering || !bot.webhook || this.stopped) return;
    bot.delivering = true;
    void this.deliverLoop(bot).finally(() => {
      bot.delivering = false;
      // An update queued while the loop was finishing must not wait for the next one.
      if (bot.webhook && this.visible(bot).length > 0 && !this.stopped) this.pumpWebhook(bot);
    });
  }

  private async deliverLoop(bot: BotState): Promise<void> {
    const base = this.options.webhookRetryBaseMs ?? 50;
    const cap = this.options.webhookRetryMaxMs ?? 1000;
    let failures = 0;
    while (!this.stopped && bot.webhook) {
      const hook = bot.webhook;
      const update = this.batch(bot, 1)[0];
      if (!update) return;
      const attempt = bot.attempts.filter((a) => a.update_id === update.update_id).length + 1;
      const result = await this.post(hook.url, update, hook.secretToken);
      bot.attempts.push({ update_id: update.update_id, attempt, at: Date.now(), secretToken: hook.secretToken, ...result });
      if (bot.webhook?.generation !== hook.generation) continue; // the webhook changed meanwhile
      if (result.ok) {
        failures = 0;
        bot.queue = bot.queue.filter((u) => u.update_id !== update.update_id);
        if (result.reply) this.replyCall(bot, result.reply);
        continue;
      }
      bot.lastError = { date: nowSeconds(), message: result.error ?? `Wrong response from the webhook: ${result.status}` };
      failures++;
      await this.pause(Math.min(cap, base * 2 ** (failures - 1)));
    }
  }

  /** A webhook answer may carry one method call (`{"method": "sendMessage", …}`), which Telegram runs. */
  private replyCall(bot: BotState, reply: Params): void {
    if (typeof reply.method !== 'string') return;
    const { method, ...params } = reply;
    const name = canonicalMethod(method);
    this.log.push({ token: bot.token, method: name, httpMethod: 'WEBHOOK-REPLY', contentType: 'application/json', params, at: Date.now() });
    if (name !== 'getUpdates') this.call(bot, name, params);
  }

  private post(url: string, update: TgUpdate, secretToken?: string): Promise<{ ok: boolean; status?: number; error?: string; reply?: Params }> {
    const body = JSON.stringify(update);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (secretToken) headers['X-Telegram-Bot-Api-Secret-Token'] = secretToken;
    return new Promise((resolve) => {
      const req = http.request(url, { method: 'POST', headers, agent: false, timeout: this.options.webhookTimeoutMs ?? 5000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => resolve({ ok: false, error: err.message }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            return resolve({ ok: false, status, error: `Wrong response from the webhook: ${status} ${res.statusMessage ?? ''}`.trim() });
          }
          let reply: Params | undefined;
          try {
            const text = Buffer.concat(chunks).toString('utf8');
            if (text && /json/.test(String(res.headers['content-type']))) reply = JSON.parse(text) as Params;
          } catch {
            // Telegram ignores a body it cannot read; the delivery still counts.
          }
          resolve({ ok: true, status, reply });
        });
      });
      this.outgoing.add(req);
      req.on('close', () => this.outgoing.delete(req));
      req.on('timeout', () => req.destroy(new Error('Read timeout expired')));
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, error: err.code === 'ECONNREFUSED' ? 'Connection refused' : err.message }));
      req.end(body);
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  // ------------------------------------------------------------------ state

  private bot(token: string): BotState {
    let bot = this.bots.get(token);
    if (bot) return bot;
    // Real tokens are `<bot id>:<secret>`; the id is what getMe reports.
    const idPart = /^(\d+):/.exec(token)?.[1];
    const id = idPart ? Number(idPart) : 7_000_000_000 + this.bots.size;
    bot = {
      token,
      me: {
        id,
        is_bot: true,
        first_name: 'Huiliu Intake',
        username: `huiliu_${id}_bot`,
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
      },
      nextUpdateId: this.options.firstUpdateId ?? 734_000_001,
      queue: [],
      allowedUpdates: null,
      poll: null,
      webhook: null,
      webhookGeneration: 0,
      lastError: null,
      delivering: false,
      attempts: [],
      sent: [],
      nextMessageId: 1,
      files: new Map(),
      filePaths: new Map(),
      fileSeq: 0,
      openCallbackQueries: new Set(),
      answeredCallbackQueries: [],
    };
    this.bots.set(token, bot);
    return bot;
  }
}

// ---------------------------------------------------------------------------------------------------
// Request parsing

const METHODS = ['getMe', 'getUpdates', 'sendMessage', 'sendChatAction', 'answerCallbackQuery', 'setWebhook', 'deleteWebhook', 'getWebhookInfo', 'getFile'];
const METHOD_BY_LOWER = new Map(METHODS.map((m) => [m.toLowerCase(), m]));

/** Telegram method names are case-insensitive. */
function canonicalMethod(name: string): string {
  return METHOD_BY_LOWER.get(name.toLowerCase()) ?? name;
}

function faultAnswer(f: Fault): Answer {
  if (f.status === 429) {
    const n = f.retry_after ?? 1;
    return fail(429, f.description ?? `Too Many Requests: retry after ${n}`, { retry_after: n, ...f.parameters });
  }
  return fail(f.status, f.description ?? STATUS_DESCRIPTIONS[f.status] ?? 'Error', f.parameters);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function readParams(req: http.IncomingMessage): Promise<Params> {
  const body = await readBody(req);
  if (body.length === 0) return {};
  const type = String(req.headers['content-type'] ?? '');
  if (type.startsWith('application/json')) {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('body is not an object');
    return v as Params;
  }
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
    if (!boundary) throw new Error('multipart without boundary');
    return parseMultipart(body, boundary[1] ?? boundary[2]);
  }
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

/** Text parts become strings; file parts become `{ filename, contentType, bytes }`. */
function parseMultipart(body: Buffer, boundary: string): Params {
  const out: Params = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // skip the CRLF after the delimiter and before the next
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = /name="([^"]*)"/.exec(head)?.[1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (name !== undefined) {
      out[name] =
        filename !== undefined
          ? { filename, contentType: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1], bytes: Buffer.from(content) }
          : content.toString('utf8');
    }
    pos = next;
  }
  return out;
}

/** Structured fields arrive JSON-encoded in forms and as values in JSON bodies. */
function asJson(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

function parseJsonFields(p: Params, fields: string[]): Params {
  const out: Params = { ...p };
  for (const f of fields) if (out[f] !== undefined) out[f] = asJson(out[f]);
  return out;
}

function truthy(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}

function extensionOf(f: StoredFile): string {
  const fromName = f.file_name ? /\.[A-Za-z0-9]+$/.exec(f.file_name)?.[0] : undefined;
  if (fromName) return fromName.toLowerCase();
  if (f.kind === 'photos') return '.jpg';
  if (f.kind === 'voice') return '.oga';
  if (f.kind === 'videos') return '.mp4';
  return '';
}
