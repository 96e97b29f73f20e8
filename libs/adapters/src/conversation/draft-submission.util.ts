import type { SubmissionInput } from '@huiliu/contracts';
import type { CloseReason, Draft, DraftEntry } from './gatherer.types';

/** Entries in the order the complainant sent them: by timestamp, then by arrival. */
export function orderedEntries(entries: DraftEntry[]): DraftEntry[] {
  return [...entries].sort((a, b) => a.at - b.at || a.seq - b.seq);
}

/** The draft's words: every message text and caption, in order, one per line. */
export function joinTexts(entries: { text: string | null }[]): string {
  return entries
    .map((e) => e.text?.trim() ?? '')
    .filter((t) => t !== '')
    .join('\n');
}

/** An epoch-ms time as ISO 8601 with the given offset (480 → `2024-09-01T08:05:00+08:00`; 0 → `…Z`). */
export function isoWithOffset(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().replace(/(\.000)?Z$/, '');
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The submission a closed draft becomes. The first message's ref is its natural id, so the same
 * conversation gathered again (a replay, a restart) yields the same source key and is one submission.
 */
export function draftToSubmission(draft: Draft, closedBy: CloseReason, utcOffsetMinutes: number): SubmissionInput {
  const entries = orderedEntries(draft.entries);
  const refs = entries.map((e) => e.ref);
  const located = [...entries].reverse().find((e) => e.location);
  const contact = [...entries].reverse().find((e) => e.contact)?.contact ?? null;
  const flags: string[] = [];
  if (entries.some((e) => e.forwarded)) flags.push('forwarded');
  if (entries.some((e) => e.edited)) flags.push('edited');
  const submission: SubmissionInput = {
    schemaVersion: 1,
    channelType: draft.channelType,
    ref: refs[0],
    refs,
    text: joinTexts(entries),
    submittedAt: isoWithOffset(entries[0].at, utcOffsetMinutes),
    complainant: {
      name: draft.sender.name,
      phone: contact?.phone ?? null,
      email: null,
      idNumber: null,
      handle: draft.sender.handle,
      anonymous: false,
    },
    attachments: entries
      .filter((e) => e.attachment)
      .map((e) => ({
        filename: e.attachment!.filename,
        contentType: e.attachment!.contentType ?? 'application/octet-stream',
        size: e.attachment!.size ?? 0,
        blobKey: null,
        sourceRef: e.attachment!.sourceRef,
      })),
    flags,
    extra: { conversationKey: draft.conversationKey, messageCount: entries.length, closedBy },
  };
  if (located?.location) {
    // Coordinates the complainant shared: the label (a WeChat place name, a Telegram venue) is kept as given.
    submission.location = {
      address: null,
      districtCode: null,
      region: null,
      lat: located.location.lat,
      lng: located.location.lng,
      label: located.location.label,
    };
  }
  return submission;
}
