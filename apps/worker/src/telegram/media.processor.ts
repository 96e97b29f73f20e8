import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isTelegramApiError, TelegramBotClient, telegramSettingsOf } from '@huiliu/adapters';
import { QUEUES } from '@huiliu/contracts';
import type { MediaFetch } from '@huiliu/intake';
import type { AppConfig, BlobStore } from '@huiliu/platform';
import type { ChannelRepository, ConversationRepository } from '@huiliu/store';

/** Telegram answers "file is too big" for files over 20 MB: such a file is refused, not retried. */
const TOO_BIG = /file is too big/i;

class TooLargeError extends Error {}

/**
 * Fetches the photos and documents of recorded Telegram submissions into the blob store: getFile for a
 * download path, then the file itself, under a size cap. A link that expired (404) is asked for again; a
 * 429 waits the retry_after Telegram names (the job is delayed, not retried early); a file over the cap or
 * one Telegram no longer has is marked refused on the attachment, with the reason.
 */
export class MediaProcessor {
  private worker: Worker<MediaFetch> | null = null;

  constructor(
    private readonly deps: { connection: Redis; config: AppConfig; channels: ChannelRepository; repo: ConversationRepository; blobs: BlobStore; logger: Logger },
  ) {}

  start(): void {
    const { config, logger } = this.deps;
    this.worker = new Worker<MediaFetch>(QUEUES.media, (job, token) => this.handle(job, token), {
      connection: this.deps.connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.MEDIA_CONCURRENCY,
    });
    this.worker.on('failed', (job, err) => {
      if (job) logger.warn({ jobId: job.id, attempt: job.attemptsMade, err: err.message }, 'media download failed');
    });
    this.worker.on('error', (err) => logger.error({ err }, 'media worker error'));
  }

  async close(): Promise<void> {
    await this.worker?.close();
  }

  async handle(job: Job<MediaFetch>, token?: string): Promise<{ blobKey?: string; refused?: string; skipped?: string }> {
    const { submissionId, attachmentIndex, fileId, channelId } = job.data;
    const { repo, channels, blobs, config } = this.deps;
    const current = await repo.attachmentOf(submissionId, attachmentIndex);
    if (!current || !current.attachment) throw new UnrecoverableError(`submission ${submissionId} has no attachment ${attachmentIndex}`);
    if (current.attachment.blobKey) return { skipped: 'already_fetched' };
    const channel = await channels.findByIdOrName(channelId);
    const botToken = typeof channel?.credentials.token === 'string' ? channel.credentials.token : null;
    if (!channel || channel.type !== 'telegram' || !botToken) throw new UnrecoverableError(`channel ${channelId} cannot fetch Telegram files (no bot token)`);
    const settings = telegramSettingsOf(channel.settings);
    const cap = Math.min(settings.maxFileBytes, config.MEDIA_MAX_BYTES);
    const refuse = async (reason: string) => {
      await repo.setAttachment(submissionId, attachmentIndex, { refused: reason });
      return { refused: reason };
    };
    const declared = Number(current.attachment.size ?? 0);
    if (declared > cap) return refuse('too_large');

    const bot = new TelegramBotClient(botToken, settings.apiRoot, { timeoutMs: 60_000 });
    try {
      let path = await this.filePath(bot, fileId);
      if (path === null) return refuse('too_large');
      let res = await fetch(bot.fileUrl(path));
      if (res.status === 404) {
        // Download links expire (about an hour): getFile issues a fresh one.
        await res.body?.cancel();
        path = await this.filePath(bot, fileId);
        if (path === null) return refuse('too_large');
        res = await fetch(bot.fileUrl(path));
      }
      if (res.status === 429) {
        const retryAfter = Number(res.headers.get('retry-after') ?? (await res.json().catch(() => ({})) as { parameters?: { retry_after?: number } }).parameters?.retry_after ?? 5);
        throw Object.assign(new Error('download rate limited'), { retryAfterSeconds: retryAfter });
      }
      if (!res.ok || !res.body) throw new Error(`file download answered ${res.status}`);
      const bytes = await readCapped(res, cap);
      const blobKey = await blobs.put(bytes);
      const sha256 = blobKey.slice(blobKey.lastIndexOf('/') + 1);
      await repo.setAttachment(submissionId, attachmentIndex, { blobKey, sha256, size: bytes.length, refused: null });
      return { blobKey };
    } catch (err) {
      if (err instanceof TooLargeError) return refuse('too_large');
      if (isTelegramApiError(err, 400)) {
        if (TOO_BIG.test(err.description)) return refuse('too_large');
        return refuse('file_unavailable');
      }
      const retryAfter = isTelegramApiError(err, 429) ? err.retryAfter : (err as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retryAfter !== undefined && token) {
        // Wait exactly as long as Telegram asked, without spending one of the job's attempts.
        await job.moveToDelayed(Date.now() + retryAfter * 1000, token);
        throw new DelayedError();
      }
      throw err;
    }
  }

  /** The download path of a file, or null when it is over Telegram's own limit. */
  private async filePath(bot: TelegramBotClient, fileId: string): Promise<string | null> {
    const file = await bot.strict.getFile({ file_id: fileId });
    if (!file.file_path) throw new Error('getFile returned no file_path');
    return file.file_path;
  }
}

/** Reads a response body, stopping as soon as it exceeds the cap (the rest is never downloaded). */
async function readCapped(res: Response, cap: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > cap) {
    await res.body?.cancel();
    throw new TooLargeError();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      throw new TooLargeError();
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks, size);
}
