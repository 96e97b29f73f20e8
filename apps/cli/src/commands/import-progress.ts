import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import { isTabularChannelType, ProfileSelectionError } from '@huiliu/adapters';
import { createImporter, ImportRefusedError, ImportTooLargeError, type ImportProgress } from '@huiliu/intake';
import type { ChannelEntity } from '@huiliu/store';
import { CliError, type CliContext } from '../cli-context';

export interface ImportIngestSummary {
  channel: string;
  channelName: string;
  files: number;
  read: number;
  recorded: number;
  duplicates: number;
  rejected: number;
  rejections: { ref: string | null; reason: string; detail?: string; row?: number | null; file?: string }[];
  importIds: string[];
}

/** Channel types whose files go through the import machinery (stored once, rows recorded in batches). */
export const isImportChannel = (channel: ChannelEntity): boolean => isTabularChannelType(channel.type);

/** A progress bar on a terminal only (on stderr); nothing at all when output is piped. */
function progressBar(): { start(file: string, size: number): void; update(p: ImportProgress): void; stop(): void } {
  if (!process.stderr.isTTY) return { start() {}, update() {}, stop() {} };
  const bar = new SingleBar(
    { format: '{file} [{bar}] {percentage}% | {rows} rows, {recorded} new, {duplicates} known, {rejected} rejected', stream: process.stderr, hideCursor: true, clearOnComplete: false },
  );
  let size = 0;
  return {
    start(file, total) {
      size = Math.max(total, 1);
      bar.start(size, 0, { file, rows: 0, recorded: 0, duplicates: 0, rejected: 0 });
    },
    update(p) {
      bar.update(Math.min(p.bytesRead ?? 0, size), { rows: p.rowsRead, recorded: p.recorded, duplicates: p.duplicates, rejected: p.rejected });
    },
    stop() {
      bar.stop();
    },
  };
}

/**
 * `ingest` for hotline/letter/visit/transfer channels: each file goes through the same import machinery as
 * an upload, in this process (stored once, recorded in batches, queued), and is recorded in the imports
 * table so the API shows it too. A file refused as a whole is a rejection of that file, with its reason.
 */
export async function importFiles(ctx: CliContext, channel: ChannelEntity, files: string[]): Promise<ImportIngestSummary> {
  const importer = createImporter(ctx.app);
  const summary: ImportIngestSummary = { channel: channel.type, channelName: channel.name, files: files.length, read: 0, recorded: 0, duplicates: 0, rejected: 0, rejections: [], importIds: [] };
  const bar = progressBar();
  for (const file of files) {
    const name = basename(file);
    let imp;
    try {
      imp = await importer.store({ channel, fileName: name, contentType: null, body: createReadStream(file), origin: 'cli' });
    } catch (err) {
      if (err instanceof ImportTooLargeError) {
        summary.rejected++;
        summary.rejections.push({ ref: name, reason: 'file_too_large', detail: err.message, file: name });
        continue;
      }
      if (err instanceof ImportRefusedError || err instanceof ProfileSelectionError) throw new CliError(err.message);
      throw err;
    }
    summary.importIds.push(imp.id);
    bar.start(name, Number(imp.fileSize));
    let result;
    try {
      result = await importer.run(imp.id, (p) => bar.update(p));
    } finally {
      bar.stop();
    }
    summary.read += result.rowsRead;
    summary.recorded += result.recorded;
    summary.duplicates += result.duplicates;
    summary.rejected += result.rejected;
    for (const r of result.rejections) summary.rejections.push({ ref: r.ref, reason: r.reason, ...(r.detail ? { detail: r.detail } : {}), row: r.row, file: name });
    if (result.status === 'failed') {
      summary.rejected++;
      const [code, ...rest] = (result.error ?? 'failed').split(': ');
      summary.rejections.push({ ref: name, reason: code, detail: rest.join(': '), file: name });
    }
  }
  return summary;
}
