import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AdapterRegistry } from '@huiliu/adapters';
import { isChannelType, SubmissionValidationError } from '@huiliu/contracts';
import { InboxRecorder } from '@huiliu/intake';
import { ChannelRepository, type ChannelEntity } from '@huiliu/store';
import { CliError, type CliContext } from '../cli-context';
import { importFiles, isImportChannel } from './import-progress';

export interface IngestSummary {
  channel: string;
  channelName: string;
  files: number;
  read: number;
  recorded: number;
  duplicates: number;
  rejected: number;
  rejections: { ref: string | null; reason: string; detail?: string }[];
}

/** Expands directories (sorted, hidden files and READMEs skipped); an unreadable path is a CliError. */
export async function expandPaths(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let stat;
    try {
      stat = await fs.stat(p);
    } catch (err) {
      throw new CliError(`cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (stat.isDirectory()) {
      const names = (await fs.readdir(p)).filter((n) => !n.startsWith('.') && n.toLowerCase() !== 'readme.md').sort();
      out.push(...(await expandPaths(names.map((n) => path.join(p, n)))));
    } else out.push(p);
  }
  return out;
}

async function resolveChannel(channels: ChannelRepository, typeOrName: string): Promise<ChannelEntity> {
  const named = await channels.findByIdOrName(typeOrName);
  if (named) return named;
  if (isChannelType(typeOrName)) return channels.defaultFor(typeOrName);
  throw new CliError(`no channel named ${typeOrName}, and it is not a channel type`);
}

/**
 * Feeds native files through the channel's adapter into the inbox and the queue. Returns once every
 * record is recorded or rejected with a reason.
 */
export async function ingest(ctx: CliContext, typeOrName: string, inputs: string[]): Promise<IngestSummary> {
  const files = await expandPaths(inputs);
  const channels = ctx.app.get(ChannelRepository);
  const registry = ctx.app.get(AdapterRegistry);
  const recorder = ctx.app.get(InboxRecorder);
  const channel = await resolveChannel(channels, typeOrName);
  if (!registry.has(channel.type)) throw new CliError(`channel type ${channel.type} has no adapter in this version`);
  if (!channel.enabled) throw new CliError(`channel ${channel.name} is disabled`);
  // Export and register files go through the import machinery: stored once, rows recorded in batches.
  if (isImportChannel(channel)) return importFiles(ctx, channel, files);
  const adapter = registry.get(channel.type);

  const summary: IngestSummary = { channel: channel.type, channelName: channel.name, files: files.length, read: 0, recorded: 0, duplicates: 0, rejected: 0, rejections: [] };
  const inFlight = new Set<Promise<void>>();
  const reject = (ref: string | null, reason: string, detail?: string) => {
    summary.rejected++;
    summary.rejections.push({ ref, reason, ...(detail ? { detail } : {}) });
  };
  for await (const rec of adapter.readFiles(files, {
    maxRecordBytes: ctx.config.BODY_LIMIT,
    maxAttachmentBytes: ctx.config.ATTACHMENT_MAX_BYTES,
    channel: { id: channel.id, name: channel.name, settings: channel.settings, credentials: channel.credentials },
  })) {
    summary.read++;
    if (!rec.ok) {
      reject(rec.ref, rec.reason, rec.detail);
      continue;
    }
    const p = recorder
      .record({ channelId: channel.id, submission: rec.submission, raw: rec.raw, attachments: rec.attachments })
      .then((r) => {
        if (r.created) summary.recorded++;
        else summary.duplicates++;
      })
      .catch((err) => {
        if (err instanceof SubmissionValidationError) reject(rec.submission.ref ?? null, 'schema', err.message);
        else throw err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 512) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return summary;
}
