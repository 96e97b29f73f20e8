import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CHANNEL_TYPES } from '@huiliu/contracts';
import type { AdapterRegistry } from '@huiliu/adapters';
import type { ChannelRepository } from '@huiliu/store';

export const ChannelDefinition = z.object({
  type: z.enum(CHANNEL_TYPES),
  name: z.string().min(1).max(100).regex(/^[\p{L}\p{N}_.-]+$/u, 'letters, digits, _ . -'),
  settings: z.record(z.string(), z.unknown()).default({}),
  credentials: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
  homeDivision: z.string().regex(/^\d{6}$/, 'a 6-digit division code').nullable().default(null),
  isDefault: z.boolean().default(false),
});
export type ChannelDefinition = z.infer<typeof ChannelDefinition>;

/** Checks a channel's settings against its adapter's schema; returns messages (empty when fine). */
export function checkChannelSettings(registry: AdapterRegistry, def: Pick<ChannelDefinition, 'type' | 'settings'> & { credentials?: Record<string, unknown> }): string[] {
  if (!registry.has(def.type)) return [];
  const r = registry.get(def.type).settingsSchema.safeParse(def.settings);
  const problems = r.success ? [] : r.error.issues.map((i) => `settings.${i.path.join('.')}: ${i.message}`);
  // Credentials are checked when they are given (create, seed); the adapter says which secret its settings need.
  const adapter = registry.get(def.type);
  if (r.success && def.credentials && adapter.checkCredentials) problems.push(...adapter.checkCredentials(def.settings, def.credentials).map((i) => `${i.path}: ${i.message}`));
  return problems;
}

/**
 * A declarative channels file (YAML or JSON: `channels: [{type, name, settings, credentials, enabled}]`)
 * applied at start-up: channels are created or updated by name; channels not in the file are left alone.
 */
export async function seedChannels(file: string, channels: ChannelRepository, registry: AdapterRegistry): Promise<string[]> {
  const text = readFileSync(file, 'utf8');
  const doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  const parsed = z.object({ channels: z.array(ChannelDefinition) }).safeParse(doc);
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const names: string[] = [];
  for (const def of parsed.data.channels) {
    const problems = checkChannelSettings(registry, def);
    if (problems.length) throw new Error(`${file}: channel ${def.name}: ${problems.join('; ')}`);
    await channels.upsertByName(def);
    names.push(def.name);
  }
  return names;
}
