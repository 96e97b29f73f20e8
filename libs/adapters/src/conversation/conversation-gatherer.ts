import { sourceKeyOf } from '@huiliu/contracts';
import type { ConversationMessage } from './conversation.types';
import { textIntent } from './conversation-intent.util';
import { draftToSubmission, joinTexts, orderedEntries } from './draft-submission.util';
import { DEFAULT_REPLIES } from './gatherer-replies';
import type { ClosedDraft, CloseReason, Draft, DraftEntry, GathererAction, GathererOptions, GathererReplies, GathererState } from './gatherer.types';
import { normalizeReceipt, receiptOf } from './receipt.util';

const MINUTE = 60_000;
const DEFAULTS = {
  quietMs: 5 * MINUTE,
  maxMessages: 20,
  maxChars: 5000,
  utcOffsetMinutes: 480,
  amendWindowMs: 7 * 24 * 60 * MINUTE,
  maxClosedPerConversation: 20,
};
/** Refs remembered per conversation for spotting redeliveries: enough for any page overlap. */
const MAX_SEEN_PER_CONVERSATION = 200;

/**
 * Turns the messages of chat channels into complaints. A complaint in a chat is a short conversation: a
 * location and then the words about it, a photo and its caption, a correction a minute later. Messages of
 * one conversation are gathered into a draft until the complainant confirms, cancels, or falls quiet;
 * the draft then becomes one submission.
 *
 * Pure and clock-free: time is what the messages say (`at`) and what the caller passes to `tick`, so a
 * replay of stored messages gathers exactly as the live run did. The state is plain JSON
 * (`snapshot`/`restore`), so a restart in the middle of a conversation loses nothing.
 *
 * Every accepted message is accounted for: it ends in a `submit` (its ref in the draft's refs), a
 * `cancelled`, an `amend`, a `status_query`, or an `ignored` with a reason.
 */
export class ConversationGatherer {
  private readonly opts: typeof DEFAULTS;
  private readonly replies: GathererReplies;
  private state: GathererState;

  constructor(options: GathererOptions = {}) {
    let resolved = RESOLVED.get(options);
    if (!resolved) {
      resolved = resolveOptions(options);
      RESOLVED.set(options, resolved);
    }
    this.opts = resolved.opts;
    this.replies = resolved.replies;
    this.state = emptyState();
  }

  /** Feeds one message; returns what to do now. Drafts of other conversations are closed only by `tick`. */
  accept(msg: ConversationMessage): GathererAction[] {
    const key = msg?.conversationKey;
    if (typeof key !== 'string' || key === '' || typeof msg.ref !== 'string' || msg.ref === '' || !Number.isFinite(msg.at)) {
      return [{ type: 'ignored', conversationKey: String(key ?? ''), ref: String(msg?.ref ?? ''), reason: 'malformed_message' }];
    }
    this.advance(msg.at);
    const actions: GathererAction[] = [];
    // A message after the quiet period starts a new complaint, whether or not the caller ticked meanwhile.
    const open = this.state.drafts[key];
    if (open && msg.at - open.lastAt >= this.opts.quietMs) actions.push(...this.close(key, 'quiet'));

    if (msg.editOf) {
      const handled = this.applyEdit(msg);
      if (handled) return [...actions, ...handled];
      // The original was never seen (it predates this state): the edited version is all there is.
    }
    if (this.hasSeen(key, msg.ref)) {
      return [...actions, { type: 'ignored', conversationKey: key, ref: msg.ref, reason: 'duplicate' }];
    }
    this.remember(key, msg.ref, msg.at);
    actions.push(...this.dispatch(msg));
    return actions;
  }

  /** Advances time to `nowMs` and closes every draft quiet for `quietMs`. Time never goes backwards. */
  tick(nowMs: number): GathererAction[] {
    if (!Number.isFinite(nowMs)) return [];
    this.advance(nowMs);
    const now = this.state.clock;
    const due = Object.values(this.state.drafts)
      .filter((d) => now - d.lastAt >= this.opts.quietMs)
      .sort((a, b) => a.lastAt - b.lastAt || cmp(a.conversationKey, b.conversationKey));
    const actions = due.flatMap((d) => this.close(d.conversationKey, 'quiet'));
    this.prune(now);
    return actions;
  }

  /** Closes every open draft: the end of a replayed input. Not for shutdown (persist a snapshot instead). */
  closeAll(): GathererAction[] {
    const open = Object.values(this.state.drafts).sort((a, b) => a.firstAt - b.firstAt || cmp(a.conversationKey, b.conversationKey));
    return open.flatMap((d) => this.close(d.conversationKey, 'end_of_input'));
  }

  /**
   * The whole state as plain JSON, to persist after every batch of accept/tick. `copy: false` hands out the
   * live state instead of a copy, for a caller that serialises it at once and never changes it (a store
   * writing it back): the state of a busy account is then not copied twice per batch.
   */
  snapshot(opts: { copy?: boolean } = {}): GathererState {
    return opts.copy === false ? this.state : (JSON.parse(JSON.stringify(this.state)) as GathererState);
  }

  /**
   * Replaces the state with a snapshot taken earlier (by this or another process). `copy: false` adopts the
   * object itself, for a caller that keeps no other reference to it (one just read from the store).
   */
  restore(state: GathererState, opts: { copy?: boolean } = {}): void {
    if (!isState(state)) throw new TypeError('ConversationGatherer.restore: not a gatherer snapshot (version 1)');
    this.state = opts.copy === false ? state : (JSON.parse(JSON.stringify(state)) as GathererState);
  }

  /** The conversations with an open draft, for dashboards and tests. */
  openConversations(): string[] {
    return Object.keys(this.state.drafts).sort(cmp);
  }

  private dispatch(msg: ConversationMessage): GathererAction[] {
    const key = msg.conversationKey;
    const ignored = (reason: string): GathererAction => ({ type: 'ignored', conversationKey: key, ref: msg.ref, reason });
    const reply = (text: string): GathererAction => ({ type: 'reply', conversationKey: key, text });

    switch (msg.kind) {
      case 'command':
        return this.command(msg, ignored, reply);
      case 'event':
        if (msg.event?.toLowerCase() === 'subscribe') return [reply(this.replies.welcome), ignored('event:subscribe')];
        return [ignored(`event:${msg.event ?? 'unknown'}`)];
      case 'sticker':
        // A sticker says nothing a case officer can use, even in the middle of a complaint.
        return [ignored('sticker')];
      case 'text': {
        const intent = textIntent(msg.text);
        if (intent?.type === 'confirm') {
          if (this.state.drafts[key]) return [...this.close(key, 'confirmed'), ignored('confirmation')];
          return [ignored('confirmation_without_draft')];
        }
        if (intent?.type === 'cancel') {
          if (this.state.drafts[key]) return [...this.cancel(key), ignored('cancellation')];
          return [reply(this.replies.nothingPending), ignored('cancellation_without_draft')];
        }
        if (intent?.type === 'status') return [...this.status(msg, intent.receipt, reply), ignored('status_request')];
        return this.gather(msg);
      }
      default: {
        const hasContent = (msg.text?.trim() ?? '') !== '' || msg.attachment || msg.location || msg.contact;
        return hasContent ? this.gather(msg) : [ignored('no_content')];
      }
    }
  }

  private command(
    msg: ConversationMessage,
    ignored: (reason: string) => GathererAction,
    reply: (text: string) => GathererAction,
  ): GathererAction[] {
    const key = msg.conversationKey;
    const name = msg.command?.name ?? '';
    switch (name) {
      case 'start':
      case 'help':
        return [reply(this.replies.welcome), ignored(`command:${name}`)];
      case 'done':
      case 'submit':
        if (this.state.drafts[key]) return [...this.close(key, 'confirmed'), ignored(`command:${name}`)];
        return [reply(this.replies.nothingPending), ignored(`command:${name}`)];
      case 'cancel':
        if (this.state.drafts[key]) return [...this.cancel(key), ignored('command:cancel')];
        return [reply(this.replies.nothingPending), ignored('command:cancel')];
      case 'status':
        return [...this.status(msg, msg.command?.args ?? null, reply), ignored('command:status')];
      default:
        return [reply(this.replies.unknownCommand), ignored(`command:${name || 'unknown'}`)];
    }
  }

  private status(msg: ConversationMessage, typed: string | null, reply: (text: string) => GathererAction): GathererAction[] {
    const key = msg.conversationKey;
    if (!typed || typed.trim() === '') {
      // Without a number, the complainant means their latest submission, when there is one.
      const latest = this.state.closed[key]?.at(-1);
      if (!latest) return [reply(this.replies.statusUsage)];
      return [{ type: 'status_query', conversationKey: key, receipt: latest.receipt, ref: msg.ref }];
    }
    const receipt = normalizeReceipt(typed);
    if (!receipt) return [reply(this.replies.badReceipt)];
    return [{ type: 'status_query', conversationKey: key, receipt, ref: msg.ref }];
  }

  private gather(msg: ConversationMessage): GathererAction[] {
    const key = msg.conversationKey;
    const actions: GathererAction[] = [];
    let draft: Draft | undefined = this.state.drafts[key];
    const addedChars = msg.text?.trim().length ?? 0;
    if (draft && joinTexts(draft.entries).length + addedChars + 1 > this.opts.maxChars) {
      actions.push(...this.close(key, 'limit'));
      draft = undefined;
    }
    if (!draft) {
      draft = { conversationKey: key, channelType: msg.channelType, sender: { ...msg.sender }, entries: [], firstAt: msg.at, lastAt: msg.at };
      this.state.drafts[key] = draft;
      actions.push({ type: 'reply', conversationKey: key, text: this.replies.draftOpened(Math.round(this.opts.quietMs / MINUTE)) });
    }
    draft.entries.push(this.entryOf(msg));
    draft.firstAt = Math.min(draft.firstAt, msg.at);
    draft.lastAt = Math.max(draft.lastAt, msg.at);
    // A later message may carry the display name the first one lacked.
    if (!draft.sender.name && msg.sender.name) draft.sender = { ...msg.sender };
    if (draft.entries.length >= this.opts.maxMessages) actions.push(...this.close(key, 'limit'));
    return actions;
  }

  /** Applies an edit to an open or closed draft; null when the edited message is not known here. */
  private applyEdit(msg: ConversationMessage): GathererAction[] | null {
    const key = msg.conversationKey;
    const target = msg.editOf!;
    const ignored = (reason: string): GathererAction[] => [{ type: 'ignored', conversationKey: key, ref: msg.ref, reason }];
    const draft = this.state.drafts[key];
    const entry = draft?.entries.find((e) => e.ref === target);
    if (draft && entry) {
      if (msg.kind === 'command') return ignored('edited_command');
      const changed = this.editEntry(entry, msg);
      draft.lastAt = Math.max(draft.lastAt, msg.at);
      // The edit is folded into the draft: it is accounted for by the draft's submission.
      return changed ? [] : ignored('edit_without_change');
    }
    const closed = this.state.closed[key]?.find((c) => c.refs.includes(target));
    if (closed) {
      if (msg.kind === 'command') return ignored('edited_command');
      const old = closed.entries.find((e) => e.ref === target)!;
      const newText = msg.text ?? old.text;
      const newLocation = msg.location ?? old.location;
      if (newText === old.text && sameLocation(newLocation, old.location)) return ignored('edit_without_change');
      const textChanged = newText !== old.text;
      old.text = newText;
      old.location = newLocation;
      const located = [...closed.entries].reverse().find((e) => e.location);
      const actions: GathererAction[] = [
        {
          type: 'amend',
          conversationKey: key,
          ref: closed.ref,
          refs: [...closed.refs],
          receipt: closed.receipt,
          editedRef: target,
          newText: joinTexts(closed.entries),
          location: located?.location ?? null,
        },
      ];
      // A live location moving is an edit too; only a changed text is worth telling the complainant about.
      if (textChanged) actions.push({ type: 'reply', conversationKey: key, text: this.replies.amended(closed.receipt) });
      return actions;
    }
    // An edit of a message handled without being gathered (a command, a sticker) changes nothing.
    if (this.hasSeen(key, target)) return ignored('edit_of_ignored_message');
    return null;
  }

  private editEntry(entry: DraftEntry, msg: ConversationMessage): boolean {
    let changed = false;
    if (msg.text !== null && msg.text !== entry.text) {
      entry.text = msg.text;
      changed = true;
    }
    if (msg.location && !sameLocation(msg.location, entry.location)) {
      entry.location = { ...msg.location };
      changed = true;
    }
    if (msg.attachment && msg.attachment.sourceRef !== entry.attachment?.sourceRef) {
      entry.attachment = { ...msg.attachment };
      changed = true;
    }
    if (changed) entry.edited = true;
    return changed;
  }

  private close(key: string, closedBy: CloseReason): GathererAction[] {
    const draft = this.state.drafts[key];
    if (!draft) return [];
    delete this.state.drafts[key];
    const draftSubmission = draftToSubmission(draft, closedBy, this.opts.utcOffsetMinutes);
    const refs = draftSubmission.refs ?? [draftSubmission.ref];
    const receipt = receiptOf(sourceKeyOf(draft.channelType, draftSubmission.ref));
    const list = (this.state.closed[key] ??= []);
    list.push({
      ref: draftSubmission.ref,
      refs: [...refs],
      receipt,
      closedAt: this.state.clock,
      entries: orderedEntries(draft.entries).map((e) => ({ ref: e.ref, text: e.text, location: e.location })),
    });
    if (list.length > this.opts.maxClosedPerConversation) list.splice(0, list.length - this.opts.maxClosedPerConversation);
    return [
      { type: 'submit', conversationKey: key, draft: draftSubmission, messageRefs: [...refs], receipt, closedBy },
      { type: 'reply', conversationKey: key, text: this.replies.submitted(receipt, refs.length) },
    ];
  }

  private cancel(key: string): GathererAction[] {
    const draft = this.state.drafts[key];
    if (!draft) return [];
    delete this.state.drafts[key];
    return [
      { type: 'cancelled', conversationKey: key, refs: orderedEntries(draft.entries).map((e) => e.ref) },
      { type: 'reply', conversationKey: key, text: this.replies.cancelled },
    ];
  }

  private entryOf(msg: ConversationMessage): DraftEntry {
    return {
      ref: msg.ref,
      at: msg.at,
      seq: ++this.state.seq,
      kind: msg.kind,
      text: msg.text,
      location: msg.location ? { ...msg.location } : null,
      attachment: msg.attachment ? { ...msg.attachment } : null,
      contact: msg.contact ? { ...msg.contact } : null,
      forwarded: msg.forwarded === true,
      edited: false,
    };
  }

  private advance(at: number): void {
    if (at > this.state.clock) this.state.clock = at;
  }

  private hasSeen(key: string, ref: string): boolean {
    if (this.state.drafts[key]?.entries.some((e) => e.ref === ref)) return true;
    if (this.state.closed[key]?.some((c) => c.refs.includes(ref))) return true;
    return this.state.seen[key]?.some((s) => s.ref === ref) ?? false;
  }

  private remember(key: string, ref: string, at: number): void {
    const list = (this.state.seen[key] ??= []);
    list.push({ ref, at });
    if (list.length > MAX_SEEN_PER_CONVERSATION) list.splice(0, list.length - MAX_SEEN_PER_CONVERSATION);
  }

  /** Forgets submitted drafts and seen refs older than the amend window, so the state stays small. */
  private prune(now: number): void {
    const horizon = now - this.opts.amendWindowMs;
    for (const [key, list] of Object.entries(this.state.closed)) {
      const kept = list.filter((c) => c.closedAt >= horizon);
      if (kept.length) this.state.closed[key] = kept;
      else delete this.state.closed[key];
    }
    for (const [key, list] of Object.entries(this.state.seen)) {
      const kept = list.filter((s) => s.at >= horizon);
      if (kept.length) this.state.seen[key] = kept;
      else delete this.state.seen[key];
    }
  }
}

/**
 * Options checked and completed once per options object: a chat service builds a gatherer for every
 * conversation of every batch, all from its channel's one options object (which nothing changes).
 */
const RESOLVED = new WeakMap<GathererOptions, { opts: typeof DEFAULTS; replies: GathererReplies }>();

function resolveOptions(options: GathererOptions): { opts: typeof DEFAULTS; replies: GathererReplies } {
  const { replies, ...rest } = options;
  const opts = { ...DEFAULTS, ...definedOnly(rest) };
  for (const [name, value] of Object.entries(opts)) {
    if (!Number.isFinite(value) || (name !== 'utcOffsetMinutes' && value <= 0)) {
      throw new RangeError(`ConversationGatherer: option ${name} must be a positive number, got ${String(value)}`);
    }
  }
  return { opts, replies: { ...DEFAULT_REPLIES, ...replies } };
}

function emptyState(): GathererState {
  return { version: 1, clock: 0, seq: 0, drafts: {}, closed: {}, seen: {} };
}

function isState(value: unknown): value is GathererState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<GathererState>;
  return (
    s.version === 1 &&
    typeof s.clock === 'number' &&
    typeof s.seq === 'number' &&
    typeof s.drafts === 'object' &&
    s.drafts !== null &&
    typeof s.closed === 'object' &&
    s.closed !== null &&
    typeof s.seen === 'object' &&
    s.seen !== null
  );
}

function sameLocation(a: ConversationMessage['location'], b: ConversationMessage['location']): boolean {
  if (!a || !b) return a === b;
  return a.lat === b.lat && a.lng === b.lng && a.label === b.label;
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
