import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHalfWidth } from '../tabular/width.util';
import { ColumnProfileSchema, PROFILE_FIELDS, type ColumnProfile, type ProfileField } from './column-profile.schema';

/** The profiles shipped with the product, next to this file. Operators add theirs in their own directory. */
export const BUNDLED_PROFILES_DIR = join(__dirname, 'profiles');

export class ProfileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ProfileError';
  }
}

/** Validates one profile; a wrong profile is refused with every problem named, never half-used. */
export function parseProfile(data: unknown, file = 'profile'): ColumnProfile {
  const result = ColumnProfileSchema.safeParse(data);
  if (!result.success) {
    throw new ProfileError(file, result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  return result.data;
}

/** Every `*.profile.json` of a directory, sorted by file name; duplicate ids are refused. */
export function loadProfilesFromDir(dir: string): ColumnProfile[] {
  const profiles: ColumnProfile[] = [];
  const ids = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.profile.json')).sort()) {
    const path = join(dir, file);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ProfileError(path, `not valid JSON: ${(err as Error).message}`);
    }
    const profile = parseProfile(data, path);
    if (ids.has(profile.id)) throw new ProfileError(path, `duplicate profile id ${profile.id}`);
    ids.add(profile.id);
    profiles.push(profile);
  }
  return profiles;
}

let bundled: ColumnProfile[] | null = null;
export function bundledProfiles(): ColumnProfile[] {
  bundled ??= loadProfilesFromDir(BUNDLED_PROFILES_DIR);
  return bundled;
}

/** Header text as compared: half-width, no spaces, no required-field marks (*, ＊), no BOM. */
export function normalizeHeader(value: string): string {
  return toHalfWidth(value)
    .replace(/^\ufeff/, '')
    .replace(/[\s*:：]/g, '')
    .toLowerCase();
}

/** Column index per field (and per extra column) of one header row under one profile. */
export interface ColumnBinding {
  profile: ColumnProfile;
  fields: Partial<Record<ProfileField, number>>;
  extra: Record<string, number>;
  /** Required fields with no column in this header. */
  missing: ProfileField[];
  /** Share of the profile's fields found in the header (0..1). */
  coverage: number;
}

export function bindProfile(profile: ColumnProfile, header: readonly string[]): ColumnBinding {
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    const key = normalizeHeader(h);
    if (key && !index.has(key)) index.set(key, i);
  });
  const find = (aliases: string[]) => {
    for (const alias of aliases) {
      const at = index.get(normalizeHeader(alias));
      if (at !== undefined) return at;
    }
    return undefined;
  };
  const fields: Partial<Record<ProfileField, number>> = {};
  let declared = 0;
  let found = 0;
  for (const field of PROFILE_FIELDS) {
    const aliases = profile.columns[field];
    if (!aliases) continue;
    declared++;
    const at = find(aliases);
    if (at !== undefined) {
      fields[field] = at;
      found++;
    }
  }
  const extra: Record<string, number> = {};
  for (const [key, aliases] of Object.entries(profile.extraColumns)) {
    const at = find(aliases);
    if (at !== undefined) extra[key] = at;
  }
  const missing = profile.required.filter((f) => fields[f] === undefined);
  return { profile, fields, extra, missing, coverage: declared ? found / declared : 0 };
}

/**
 * The profile whose columns best match a header row, when the channel names none: every required column
 * present, then the highest share of the profile's columns found, then the most columns found.
 */
export function pickProfile(header: readonly string[], profiles: readonly ColumnProfile[]): ColumnProfile | null {
  let best: ColumnBinding | null = null;
  for (const profile of profiles) {
    const binding = bindProfile(profile, header);
    if (binding.missing.length) continue;
    if (
      !best ||
      binding.coverage > best.coverage ||
      (binding.coverage === best.coverage && Object.keys(binding.fields).length > Object.keys(best.fields).length)
    ) {
      best = binding;
    }
  }
  return best?.profile ?? null;
}

/** For `readTabular`'s `isHeader`: a row is the header when some profile matches it. */
export function headerMatcher(profiles: readonly ColumnProfile[]): (cells: string[]) => boolean {
  return (cells) => pickProfile(cells, profiles) !== null;
}
