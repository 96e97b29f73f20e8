import type { SubmissionInput } from '@huiliu/contracts';
import type { AdapterRecord } from '../adapter.types';
import type { ConversationMessage } from './conversation.types';
import { ConversationGatherer } from './conversation-gatherer';
import { draftToSubmission } from './draft-submission.util';
import type { GathererAction, GathererOptions } from './gatherer.types';

/**
 * Messages the gatherer handles without gathering them, which still become a (rejected) submission so that
 * every message a person sent is accounted for in the inbox: a lone `/start`, a sticker, a subscribe event,
 * a "好的" with nothing open. Control words inside a conversation (a confirmation closing a draft, a status
 * request) and redeliveries do not.
 */
export function isStandaloneReason(reason: string): boolean {
  return (
    (reason.startsWith('command:') && reason !== 'command:status') ||
    reason === 'sticker' ||
    reason.startsWith('event:') ||
    reason === 'no_content' ||
    reason === 'confirmation_without_draft' ||
    reason === 'cancellation_without_draft'
  );
}

/** The actions of one accept() that mean the message steered a conversation (closed, cancelled, asked). */
export function steeredConversation(actions: GathererAction[]): boolean {
  return actions.some((a) => a.type === 'submit' || a.type === 'cancelled' || a.type === 'status_query');
}

/** A message that was not gathered, as a submission of its own that judging will reject with the hint. */
export function standaloneSubmission(msg: ConversationMessage, reason: string, utcOffsetMinutes = 480): SubmissionInput {
  const submission = draftToSubmission(
    {
      conversationKey: msg.conversationKey,
      channelType: msg.channelType,
      sender: { ...msg.sender },
      firstAt: msg.at,
      lastAt: msg.at,
      entries: [
        {
          ref: msg.ref,
          at: msg.at,
          seq: 0,
          kind: msg.kind,
          text: msg.text,
          location: msg.location,
          attachment: msg.attachment,
          contact: msg.contact ?? null,
          forwarded: msg.forwarded === true,
          edited: false,
        },
      ],
    },
    'confirmed',
    utcOffsetMinutes,
  );
  submission.extra = { ...(submission.extra ?? {}), closedBy: 'not_gathered', notGathered: reason };
  if (reason.startsWith('command:')) submission.rejectHint = 'bot_command';
  else if (reason === 'sticker') submission.rejectHint = 'sticker';
  else if (reason.startsWith('event:')) submission.rejectHint = `event_${(msg.event ?? 'unknown').toLowerCase()}`;
  else if (reason === 'no_content') submission.rejectHint = 'no_content';
  return submission;
}

/** One input of a replay: a message with its raw original, or something that is not one (with why). */
export type ReplayItem =
  | { kind: 'message'; message: ConversationMessage; raw: unknown }
  | { kind: 'refused'; ref: string | null; reason: string; detail?: string };

export interface ReplayOptions {
  gatherer: GathererOptions;
  /** The raw original of a submission from the raw originals of its messages, in order. */
  encodeRaw: (raws: unknown[]) => Buffer;
}

interface Held {
  submission: SubmissionInput;
  raws: unknown[];
  closedAt: number;
}

/**
 * Replays stored chat traffic through the gatherer: conversations are gathered by the times the messages
 * carry (never the clock of the replay), and every draft still open at the end of the input is closed.
 * Submissions are held while an edit could still amend them (the amend window, or the end of the input),
 * so an edit folds into the submission it changes instead of arriving after it was recorded.
 */
export async function* replayConversations(items: AsyncIterable<ReplayItem>, options: ReplayOptions): AsyncIterable<AdapterRecord> {
  const gatherer = new ConversationGatherer(options.gatherer);
  const amendWindowMs = options.gatherer.amendWindowMs ?? 7 * 24 * 3600_000;
  const utcOffset = options.gatherer.utcOffsetMinutes ?? 480;
  const openRaws = new Map<string, unknown[]>();
  const held = new Map<string, Held>();
  let clock = 0;
  const out: AdapterRecord[] = [];

  const apply = (actions: GathererAction[], msg: ConversationMessage | null, raw: unknown) => {
    for (const a of actions) {
      if (a.type === 'submit') {
        const raws = a.messageRefs.flatMap((ref) => {
          const r = openRaws.get(ref) ?? [];
          openRaws.delete(ref);
          return r;
        });
        held.set(a.draft.ref, { submission: a.draft, raws, closedAt: clock });
      } else if (a.type === 'amend') {
        const h = held.get(a.ref);
        if (!h) {
          out.push({ ok: false, ref: msg?.ref ?? a.editedRef, reason: 'edit_after_submission_left', detail: `the edit of ${a.editedRef} came after its submission was recorded` });
          continue;
        }
        h.submission.text = a.newText;
        h.submission.flags = [...new Set([...(h.submission.flags ?? []), 'edited'])];
        if (a.location) {
          h.submission.location = { address: null, districtCode: null, region: null, ...(h.submission.location ?? {}), lat: a.location.lat, lng: a.location.lng, label: a.location.label };
        }
        h.raws.push(raw);
      } else if (a.type === 'cancelled') {
        for (const ref of a.refs) {
          openRaws.delete(ref);
          out.push({ ok: false, ref, reason: 'cancelled_by_sender', detail: 'the complainant cancelled the draft' });
        }
      } else if (a.type === 'ignored' && msg && a.ref === msg.ref) {
        if (isStandaloneReason(a.reason) && !steeredConversation(actions)) {
          out.push({ ok: true, submission: standaloneSubmission(msg, a.reason, utcOffset), raw: options.encodeRaw([raw]), attachments: [] });
        } else if (a.reason === 'duplicate') {
          out.push({ ok: false, ref: msg.ref, reason: 'redelivery', detail: `${msg.ref} was already read` });
        } else if (!a.reason.startsWith('edit')) {
          out.push({ ok: false, ref: msg.ref, reason: a.reason.replace(/^command:/, 'command_') });
        }
      }
    }
  };

  const release = function* (all: boolean) {
    for (const [ref, h] of held) {
      if (!all && clock - h.closedAt < amendWindowMs) break;
      held.delete(ref);
      yield { ok: true as const, submission: h.submission, raw: options.encodeRaw(h.raws), attachments: [] };
    }
  };

  for await (const item of items) {
    if (item.kind === 'refused') {
      yield { ok: false, ref: item.ref, reason: item.reason, ...(item.detail ? { detail: item.detail } : {}) };
      continue;
    }
    const msg = item.message;
    if (Number.isFinite(msg.at) && msg.at > clock) clock = msg.at;
    // Drafts of other conversations fall quiet by the message clock, exactly as they did live.
    apply(gatherer.tick(msg.at), null, null);
    // The raw is filed under the message it belongs to before gathering (a draft may close at once, at a
    // limit) and taken back when the message was not gathered after all.
    const target = msg.editOf ?? msg.ref;
    const before = openRaws.get(target);
    openRaws.set(target, [...(before ?? []), item.raw]);
    const actions = gatherer.accept(msg);
    if (actions.some((a) => (a.type === 'ignored' && a.ref === msg.ref) || a.type === 'amend')) {
      if (before) openRaws.set(target, before);
      else openRaws.delete(target);
    }
    apply(actions, msg, item.raw);
    yield* out.splice(0);
    yield* release(false);
  }
  apply(gatherer.closeAll(), null, null);
  yield* out.splice(0);
  yield* release(true);
}
