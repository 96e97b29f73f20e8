import { createHash } from 'node:crypto';
import type { ChannelType } from './channel-type';

/**
 * The source key: channel type plus the source's natural id. Not the channel's name or id, so the same
 * record reaching two configured channels of one type is one submission.
 */
export function sourceKeyOf(channelType: ChannelType, ref: string): string {
  return `${channelType}:${ref.trim()}`;
}

/**
 * A BullMQ job id for a source key. BullMQ forbids ':' in custom ids and treats all-digit ids as its own
 * counters, so the key is hashed under a type prefix: stable, short, never all digits.
 */
export function jobIdOf(sourceKey: string, attempt = 0): string {
  const type = sourceKey.slice(0, sourceKey.indexOf(':'));
  const digest = createHash('sha256').update(sourceKey).digest('base64url').slice(0, 27).replace(/[-]/g, '_');
  const base = `${type}-${digest}`;
  return attempt > 0 ? `${base}-r${attempt}` : base;
}
