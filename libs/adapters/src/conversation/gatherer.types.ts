import type { SubmissionInput } from '@huiliu/contracts';
import type { ConversationMessage } from './conversation.types';

/** Why a draft was closed into a submission. */
export type CloseReason = 'confirmed' | 'quiet' | 'limit' | 'end_of_input';

/** What the caller must do after feeding the gatherer a message or a clock tick. */
export type GathererAction =
  /** Send this text back into the conversation. */
  | { type: 'reply'; conversationKey: string; text: string }
  /** A draft is complete: record it as a submission (its `ref` is the first message's ref). */
  | { type: 'submit'; conversationKey: string; draft: SubmissionInput; messageRefs: string[]; receipt: string; closedBy: CloseReason }
  /**
   * A message of an already submitted draft was edited: update that submission. `refs` are the submission's
   * refs (its source key is `refs[0]`), `newText` its whole text with the edit applied.
   */
  | {
      type: 'amend';
      conversationKey: string;
      ref: string;
      refs: string[];
      receipt: string;
      editedRef: string;
      newText: string;
      location: { lat: number; lng: number; label: string | null } | null;
    }
  /** The complainant asks how a submission is doing. */
  | { type: 'status_query'; conversationKey: string; receipt: string; ref: string }
  /** The complainant dropped the open draft: these messages become no submission. */
  | { type: 'cancelled'; conversationKey: string; refs: string[] }
  /** A message that is not part of any complaint (command, sticker, event, duplicate …). */
  | { type: 'ignored'; conversationKey: string; ref: string; reason: string };

export interface GathererOptions {
  /** A draft closes when its last message is this old (default 5 minutes). */
  quietMs?: number;
  /** A draft closes when it holds this many messages (default 20). */
  maxMessages?: number;
  /** A draft closes before its text would grow past this many characters (default 5000). */
  maxChars?: number;
  /** Offset used to write submittedAt (default +08:00, Beijing time). */
  utcOffsetMinutes?: number;
  /** How long a submitted draft is remembered so that edits become amendments (default 7 days). */
  amendWindowMs?: number;
  /** How many submitted drafts are remembered per conversation (default 20). */
  maxClosedPerConversation?: number;
  /** Replacement texts for the bot's answers. */
  replies?: Partial<GathererReplies>;
}

export interface GathererReplies {
  welcome: string;
  draftOpened: (quietMinutes: number) => string;
  submitted: (receipt: string, messageCount: number) => string;
  amended: (receipt: string) => string;
  cancelled: string;
  nothingPending: string;
  statusUsage: string;
  badReceipt: string;
  unknownCommand: string;
}

/** One gathered message as the draft keeps it: plain JSON so the whole state can be persisted. */
export interface DraftEntry {
  ref: string;
  at: number;
  /** Arrival order, to keep messages with the same timestamp in the order they came. */
  seq: number;
  kind: ConversationMessage['kind'];
  text: string | null;
  location: ConversationMessage['location'];
  attachment: ConversationMessage['attachment'];
  contact: { phone: string; name: string | null } | null;
  forwarded: boolean;
  edited: boolean;
}

export interface Draft {
  conversationKey: string;
  channelType: ConversationMessage['channelType'];
  sender: ConversationMessage['sender'];
  entries: DraftEntry[];
  firstAt: number;
  lastAt: number;
}

/** A draft already submitted, remembered so a later edit of one of its messages can amend it. */
export interface ClosedDraft {
  ref: string;
  refs: string[];
  receipt: string;
  closedAt: number;
  entries: { ref: string; text: string | null; location: ConversationMessage['location'] }[];
}

export interface GathererState {
  version: 1;
  /** The latest time seen (message `at` or tick), never the wall clock. */
  clock: number;
  seq: number;
  drafts: Record<string, Draft>;
  closed: Record<string, ClosedDraft[]>;
  /** Refs recently handled per conversation, so a redelivered message is not gathered twice. */
  seen: Record<string, { ref: string; at: number }[]>;
}
