// The kinds of source Huiliu knows. A channel (one configured source) always has one of these types.
export const CHANNEL_TYPES = ['hotline', 'letter', 'visit', 'transfer', 'email', 'web', 'telegram', 'wechat', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export function isChannelType(value: unknown): value is ChannelType {
  return typeof value === 'string' && (CHANNEL_TYPES as readonly string[]).includes(value);
}
