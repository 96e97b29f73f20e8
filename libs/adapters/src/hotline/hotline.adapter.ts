import { basename } from 'node:path';
import { z } from 'zod';
import type { AdapterRecord, ChannelAdapter, FileIngestContext } from '../adapter.types';
import { readTabular, type TabularStream } from '../tabular/tabular.reader';
import type { TabularEncoding, TabularLimits } from '../tabular/tabular.types';
import { bindProfile, bundledProfiles, headerMatcher, loadProfilesFromDir, pickProfile, type ColumnBinding } from './column-profile.registry';
import { ColumnProfileSchema, type ColumnProfile } from './column-profile.schema';
import { mapTabularRecord, type MappedRow } from './tabular-row.mapper';

/** Channel types whose input is a file of rows (an export or a register), read through column profiles. */
export const TABULAR_CHANNEL_TYPES = ['hotline', 'letter', 'visit', 'transfer'] as const;
export type TabularChannelType = (typeof TABULAR_CHANNEL_TYPES)[number];

export function isTabularChannelType(type: string): type is TabularChannelType {
  return (TABULAR_CHANNEL_TYPES as readonly string[]).includes(type);
}

/**
 * Settings of a hotline/letter/visit/transfer channel. `profile` names the column profile to use (else the
 * one whose headers match is picked); `profiles` adds an operator's own profiles (a new city's export) as
 * configuration, without code and without a restart.
 */
export const TabularChannelSettingsSchema = z.object({
  profile: z.string().min(1).optional(),
  profiles: z.array(ColumnProfileSchema).default([]),
  /** XLSX: the worksheet to read, when not the first one (or the profile's). */
  sheet: z.string().min(1).optional(),
  /** CSV: force an encoding instead of detecting it. */
  encoding: z.enum(['utf8', 'utf16le', 'utf16be', 'gb18030']).optional(),
});
export type TabularChannelSettings = z.output<typeof TabularChannelSettingsSchema>;

/** A file that cannot be imported under the channel's settings (no profile fits, a named profile is unknown). */
export class ProfileSelectionError extends Error {
  constructor(
    readonly code: 'unknown_profile' | 'profile_type_mismatch' | 'no_profile',
    message: string,
  ) {
    super(message);
    this.name = 'ProfileSelectionError';
  }
}

const operatorDirs = new Map<string, ColumnProfile[]>();

/**
 * The profiles a channel may use: bundled, the operator's directory (IMPORT_PROFILES_DIR), the channel's own
 * (settings.profiles); only those of the channel's type. With settings.profile, that one alone.
 */
export function channelProfiles(type: TabularChannelType, settings: TabularChannelSettings, operatorDir?: string): ColumnProfile[] {
  let fromDir: ColumnProfile[] = [];
  if (operatorDir) {
    if (!operatorDirs.has(operatorDir)) operatorDirs.set(operatorDir, loadProfilesFromDir(operatorDir));
    fromDir = operatorDirs.get(operatorDir)!;
  }
  // The channel's own profiles come first: an operator's profile overrides a bundled one with the same id.
  const all = [...settings.profiles, ...fromDir, ...bundledProfiles()];
  if (settings.profile) {
    const named = all.find((p) => p.id === settings.profile);
    if (!named) throw new ProfileSelectionError('unknown_profile', `the channel names profile ${settings.profile}, which does not exist`);
    if (named.channelType !== type) throw new ProfileSelectionError('profile_type_mismatch', `profile ${named.id} is for ${named.channelType} channels, not ${type}`);
    return [named];
  }
  const seen = new Set<string>();
  return all.filter((p) => p.channelType === type && !seen.has(p.id) && seen.add(p.id));
}

export function parseTabularSettings(settings: unknown): TabularChannelSettings {
  const r = TabularChannelSettingsSchema.safeParse(settings ?? {});
  if (!r.success) throw new ProfileSelectionError('unknown_profile', `invalid channel settings: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export interface MappedRowsOptions {
  channelType: TabularChannelType;
  settings: TabularChannelSettings;
  /** How rows without a usable id are named (`<fileRef>#row<n>`): the stored file's key or the file name. */
  fileRef: string;
  /** Used for format detection (the stored file has no extension). */
  fileName?: string;
  operatorProfilesDir?: string;
  limits?: Partial<TabularLimits>;
}

/** Rows of one export or register file, mapped under the matching profile; `summary` and `profile` fill as it reads. */
export interface MappedRows extends AsyncIterable<MappedRow> {
  readonly tabular: TabularStream;
  profile: ColumnProfile | null;
}

/**
 * Reads a file (path or stream) as rows mapped to submissions. A file refused as a whole (zip bomb, too many
 * columns, no header) fails the iteration with a TabularRejection; a row that cannot be read comes back as a
 * malformed row (a submission with rejectHint `malformed_row`), and reading goes on.
 */
export function readMappedRows(input: NodeJS.ReadableStream | string, opts: MappedRowsOptions): MappedRows {
  const profiles = channelProfiles(opts.channelType, opts.settings, opts.operatorProfilesDir);
  const tabular = readTabular(input, {
    isHeader: headerMatcher(profiles),
    fileName: opts.fileName,
    sheet: opts.settings.sheet ?? (profiles.length === 1 ? profiles[0].sheet : undefined),
    encoding: opts.settings.encoding as TabularEncoding | undefined,
    limits: opts.limits,
  });
  const out: MappedRows = {
    tabular,
    profile: null,
    async *[Symbol.asyncIterator]() {
      let header: readonly string[] | null = null;
      let binding: ColumnBinding | null = null;
      for await (const record of tabular) {
        if (record.header !== header) {
          header = record.header;
          const profile = pickProfile(header, profiles);
          if (!profile) throw new ProfileSelectionError('no_profile', `the header row matches no ${opts.channelType} profile`);
          binding = bindProfile(profile, header);
          out.profile = profile;
        }
        yield mapTabularRecord(record, binding!, { fileRef: opts.fileRef, sheet: tabular.summary.sheet });
      }
    },
  };
  return out;
}

/**
 * The batch adapter of a tabular channel type. The import machinery (upload endpoint, CLI ingest) stores the
 * file once and records rows in batches; `readFiles` is the plain per-record path over the same mapping.
 */
export class TabularChannelAdapter implements ChannelAdapter {
  readonly mode = 'batch' as const;
  readonly settingsSchema = TabularChannelSettingsSchema;

  constructor(readonly type: TabularChannelType) {}

  async *readFiles(paths: string[], ctx: FileIngestContext): AsyncIterable<AdapterRecord> {
    for (const path of paths) {
      try {
        // The channel's own column profiles and encoding, as its imports read them.
        const rows = readMappedRows(path, { channelType: this.type, settings: parseTabularSettings(ctx.channel?.settings ?? {}), fileRef: basename(path) });
        for await (const row of rows) {
          const raw = Buffer.from(JSON.stringify({ file: basename(path), row: row.row, line: row.line, offset: row.byteOffset, length: row.byteLength }));
          yield { ok: true, submission: row.submission, raw, attachments: [] };
        }
      } catch (err) {
        yield { ok: false, ref: basename(path), reason: (err as { code?: string }).code ?? 'unreadable_file', detail: (err as Error).message };
      }
    }
  }
}

/** 12369 exports and 12345 work orders. */
export class HotlineAdapter extends TabularChannelAdapter {
  constructor() {
    super('hotline');
  }
}
