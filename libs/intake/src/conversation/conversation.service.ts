import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import {
  ConversationGatherer,
  formatReceipt,
  isStandaloneReason,
  receiptOf,
  standaloneSubmission,
  steeredConversation,
  type ConversationMessage,
  type GathererAction,
  type GathererState,
} from '@huiliu/adapters';
import { sourceKeyOf, SubmissionValidationError, type SubmissionInput } from '@huiliu/contracts';
import type { ConversationRepository, ConversationSubmission, DueConversation, LockedConversation } from '@huiliu/store';
import type { InboxRecorder, RecordOutcome } from '../inbox-recorder';
import type { IntakeQueue } from '../intake-queue';
import { conversationChannelOf, type ConversationChannel } from './conversation-channel';

/** One delivery from a chat platform: a Telegram update, a WeChat push. */
export interface InboundItem {
  /** What makes a repeat of this delivery recognisable: `update:<update_id>`, a WeChat MsgId. */
  inboundKey: string;
  /** Null for a delivery that is not a message (a button press, a service message): only acknowledged. */
  message: ConversationMessage | null;
  /** The raw original, kept until the message becomes part of a recorded submission. */
  raw: unknown;
}

export interface InboundOutcome {
  /** True when this delivery was taken before: nothing was done again. */
  duplicate: boolean;
  /** What to answer in the conversation; for a repeat, the answer given the first time. */
  replies: string[];
}

/** Texts to send into a conversation that no request is waiting for (a draft closed by its quiet period). */
export interface PendingReplies {
  channelId: string;
  channelType: ConversationChannel['type'];
  conversationKey: string;
  texts: string[];
  /** The last message of the draft the texts are about: in a group, the answer replies to it. */
  replyToRef: string | null;
}

export interface ConversationHooks {
  /** After drafts became recorded submissions (the Telegram channel queues its file downloads here). */
  onRecorded?(channel: ConversationChannel, recorded: RecordOutcome[]): Promise<void>;
}

interface Unit {
  channel: ConversationChannel;
  items: InboundItem[];
  resolve: (o: InboundOutcome[]) => void;
  reject: (e: unknown) => void;
}

interface Work {
  channel: ConversationChannel;
  conversationKey: string;
  gatherer: ConversationGatherer;
  raws: { ref: string; raw: unknown }[];
}

interface BatchEffects {
  toRecord: { channel: ConversationChannel; submission: SubmissionInput; raw: Buffer; refs: string[] }[];
  amends: { channel: ConversationChannel; action: Extract<GathererAction, { type: 'amend' }>; raw: unknown }[];
  statusQueries: { channel: ConversationChannel; conversationKey: string; receipt: string; replyTo: string[] }[];
}

const MINUTE = 60_000;

/**
 * Turns deliveries of chat channels into conversations and conversations into submissions. Each batch of
 * deliveries is one Postgres transaction: deliveries are claimed (repeats recognised), the conversations
 * they touch are locked and restored, the gatherer runs, closed drafts are recorded by the inbox recorder
 * in the same transaction, edits amend recorded submissions, and the new conversation state (with the raw
 * originals of open drafts) is written, all before the caller acknowledges anything. Many concurrent
 * callers share one transaction (group commit), which is what keeps a busy WeChat account cheap.
 */
export class ConversationService {
  private pending: Unit[] = [];
  /** Deliveries waiting in `pending`. */
  private pendingItems = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private closed = false;

  constructor(
    private readonly deps: {
      repo: ConversationRepository;
      recorder: InboxRecorder;
      intake: IntakeQueue;
      logger: Logger;
      hooks?: ConversationHooks;
    },
    private readonly opts: { batchSize: number } = { batchSize: 200 },
  ) {}

  /** Resolves once every item's effect is durable; rejects (nothing to acknowledge) when it could not be. */
  handle(channel: ConversationChannel, items: InboundItem[]): Promise<InboundOutcome[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.reject(new Error('the conversation service is shutting down'));
    return new Promise((resolve, reject) => {
      this.pending.push({ channel, items, resolve, reject });
      this.pendingItems += items.length;
      this.schedule();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.length || this.running) {
      if (this.pending.length) this.flush();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Group commit, one batch at a time: with none running, deliveries go at once (after this tick's arrivals
   * join them); while one commits, arrivals wait and go together in the next, up to `batchSize`. Batches grow
   * with load, so a busy account pays its round trips, commit, raw append and queued job once per many
   * pushes, and no latency is added when idle. A second batch in flight answered no faster under load and
   * cost Postgres half again as much CPU per push (a commit per few pushes more).
   */
  private schedule() {
    if (this.running) return;
    if (this.pendingItems >= this.opts.batchSize) return this.flush();
    if (!this.timer) this.timer = setTimeout(() => this.flush(), 0);
  }

  private flush() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0 || this.running) return;
    const batch: Unit[] = [];
    let n = 0;
    while (this.pending.length && (batch.length === 0 || n + this.pending[0].items.length <= this.opts.batchSize)) {
      const u = this.pending.shift()!;
      n += u.items.length;
      batch.push(u);
    }
    this.pendingItems -= n;
    this.running = true;
    this.run(batch)
      .then((outcomes) => batch.forEach((u, i) => u.resolve(outcomes[i])))
      .catch((err) => {
        this.deps.logger.error({ err, deliveries: n }, 'conversation batch not recorded; the deliveries will come again');
        for (const u of batch) u.reject(err);
      })
      .finally(() => {
        this.running = false;
        if (this.pending.length) this.flush();
      });
  }

  private async run(batch: Unit[]): Promise<InboundOutcome[][]> {
    const { repo } = this.deps;
    let after: () => Promise<void> = async () => undefined;
    const outcomes = await repo.inTransaction(async (em) => {
      const results = batch.map((u) => u.items.map((): InboundOutcome => ({ duplicate: false, replies: [] })));
      // Every delivery is claimed and every conversation with a message locked, in one round trip; a
      // conversation locked only for a repeat is written back unchanged.
      const claims = batch.flatMap((u) => u.items.map((it) => ({ channelId: u.channel.id, inboundKey: it.inboundKey, conversationKey: it.message?.conversationKey ?? null })));
      const { repeats, states: locked } = await repo.claimAndLock(
        em,
        claims,
        batch.flatMap((u) => u.items.filter((it) => it.message).map((it) => ({ channelId: u.channel.id, conversationKey: it.message!.conversationKey }))),
      );
      // Which deliveries are fresh: not taken before, and the first of their key within this batch.
      const takenHere = new Set<string>();
      const fresh: { u: number; i: number; channel: ConversationChannel; item: InboundItem }[] = [];
      batch.forEach((unit, u) =>
        unit.items.forEach((item, i) => {
          const k = `${unit.channel.id}|${item.inboundKey}`;
          if (repeats.has(k) || takenHere.has(k)) {
            const reply = repeats.get(k);
            results[u][i] = { duplicate: true, replies: reply ? [reply] : [] };
            return;
          }
          takenHere.add(k);
          if (item.message) fresh.push({ u, i, channel: unit.channel, item });
        }),
      );

      const works = new Map<string, Work>();
      const effects: BatchEffects = { toRecord: [], amends: [], statusQueries: [] };
      for (const f of fresh) {
        const msg = f.item.message!;
        const wk = `${f.channel.id}\u0000${msg.conversationKey}`;
        let work = works.get(wk);
        if (!work) {
          work = this.restore(f.channel, locked.get(wk)!);
          works.set(wk, work);
        }
        const replies = this.accept(work, msg, f.item.raw, effects);
        results[f.u][f.i].replies = replies;
      }

      // Set anew by every attempt: what a rolled-back attempt recorded is not there to follow up.
      await this.apply(em, effects, (recorded) => {
        after = recorded;
      });

      const replyRows: { channelId: string; inboundKey: string; reply: string }[] = [];
      for (const f of fresh) {
        const replies = results[f.u][f.i].replies;
        if (replies.length) replyRows.push({ channelId: f.channel.id, inboundKey: f.item.inboundKey, reply: replies.join('\n\n') });
      }
      await repo.saveBatch(
        em,
        [...works.values()].map((w) => this.stateRow(w)),
        replyRows,
      );
      return results;
    });
    await after().catch((err) => this.deps.logger.warn({ err }, 'follow-up work after recording failed'));
    return outcomes;
  }

  /**
   * Closes every draft whose quiet period has ended by `now`, even when no further message comes: the
   * closer in the worker calls this on a timer. Returns the replies to send (the receipt numbers).
   */
  async closeDue(now: number, limit = 200): Promise<{ closed: number; replies: PendingReplies[] }> {
    const { repo } = this.deps;
    let after: () => Promise<void> = async () => undefined;
    const result = await repo.inTransaction(async (em) => {
      const due = await repo.claimDue(em, new Date(now), limit);
      const effects: BatchEffects = { toRecord: [], amends: [], statusQueries: [] };
      const works: Work[] = [];
      const replies: PendingReplies[] = [];
      for (const d of due) {
        const channel = this.channelOf(d);
        if (!channel) continue;
        const work = this.restore(channel, d);
        works.push(work);
        const actions = work.gatherer.tick(now);
        const texts = this.effectsOf(work, actions, null, null, effects);
        const submitted = actions.find((a) => a.type === 'submit');
        const replyToRef = submitted?.type === 'submit' ? (submitted.messageRefs.at(-1) ?? null) : null;
        if (texts.length) replies.push({ channelId: channel.id, channelType: channel.type, conversationKey: d.conversationKey, texts, replyToRef });
      }
      await this.apply(em, effects, (recorded) => {
        after = recorded;
      });
      await repo.saveStates(
        em,
        works.map((w) => this.stateRow(w)),
      );
      return { closed: effects.toRecord.length, replies };
    });
    await after().catch((err) => this.deps.logger.warn({ err }, 'follow-up work after recording failed'));
    return result;
  }

  /** Forgets deliveries older than the horizon (7 days by default): their repeats no longer come. */
  pruneInbound(olderThanMs = 7 * 24 * 60 * MINUTE): Promise<number> {
    return this.deps.repo.pruneInbound(new Date(Date.now() - olderThanMs));
  }

  private channelOf(d: DueConversation): ConversationChannel | null {
    try {
      return conversationChannelOf({ id: d.channelId, type: d.channelType, settings: d.channelSettings });
    } catch (err) {
      this.deps.logger.error({ err: (err as Error).message, channelId: d.channelId }, 'open draft of a channel with invalid settings left open');
      return null;
    }
  }

  private restore(channel: ConversationChannel, row: LockedConversation): Work {
    const gatherer = new ConversationGatherer(channel.gatherer);
    // The row was just read for this batch and nothing else holds it: the gatherer takes it without a copy.
    if (row.state && (row.state as { version?: unknown }).version === 1) gatherer.restore(row.state as unknown as GathererState, { copy: false });
    return { channel, conversationKey: row.conversationKey, gatherer, raws: [...(row.raws ?? [])] };
  }

  private stateRow(w: Work) {
    // Serialised by the repository straight away, before the gatherer could change it: no copy needed.
    const state = w.gatherer.snapshot({ copy: false });
    const draft = state.drafts[w.conversationKey];
    const quietMs = w.channel.gatherer.quietMs ?? 5 * MINUTE;
    return {
      channelId: w.channel.id,
      conversationKey: w.conversationKey,
      state,
      raws: draft ? w.raws : [],
      dueAt: draft ? new Date(draft.lastAt + quietMs) : null,
    };
  }

  /** Feeds one message; returns the replies for it. The raw is filed with its draft when it is gathered. */
  private accept(work: Work, msg: ConversationMessage, raw: unknown, effects: BatchEffects): string[] {
    const target = msg.editOf ?? msg.ref;
    const before = work.raws.length;
    work.raws.push({ ref: target, raw });
    const actions = work.gatherer.accept(msg);
    if (actions.some((a) => (a.type === 'ignored' && a.ref === msg.ref) || a.type === 'amend')) {
      const idx = work.raws.findIndex((r, i) => i >= before && r.raw === raw);
      if (idx >= 0) work.raws.splice(idx, 1);
    }
    return this.effectsOf(work, actions, msg, raw, effects);
  }

  private effectsOf(work: Work, actions: GathererAction[], msg: ConversationMessage | null, raw: unknown, effects: BatchEffects): string[] {
    const replies: string[] = [];
    for (const a of actions) {
      switch (a.type) {
        case 'reply':
          replies.push(a.text);
          break;
        case 'submit': {
          const refs = new Set(a.messageRefs);
          const raws = work.raws.filter((r) => refs.has(r.ref)).map((r) => r.raw);
          work.raws = work.raws.filter((r) => !refs.has(r.ref));
          effects.toRecord.push({ channel: work.channel, submission: a.draft, raw: work.channel.encodeRaw(raws), refs: a.messageRefs });
          break;
        }
        case 'cancelled': {
          const refs = new Set(a.refs);
          work.raws = work.raws.filter((r) => !refs.has(r.ref));
          break;
        }
        case 'amend':
          effects.amends.push({ channel: work.channel, action: a, raw });
          break;
        case 'status_query':
          effects.statusQueries.push({ channel: work.channel, conversationKey: a.conversationKey, receipt: a.receipt, replyTo: replies });
          break;
        case 'ignored':
          if (msg && a.ref === msg.ref && isStandaloneReason(a.reason) && !steeredConversation(actions)) {
            effects.toRecord.push({
              channel: work.channel,
              submission: standaloneSubmission(msg, a.reason, work.channel.gatherer.utcOffsetMinutes ?? 480),
              raw: work.channel.encodeRaw([raw]),
              refs: [msg.ref],
            });
          }
          break;
      }
    }
    return replies;
  }

  /** Records closed drafts, amends edited submissions and answers status requests, inside the transaction. */
  private async apply(em: EntityManager, effects: BatchEffects, later: (fn: () => Promise<void>) => void): Promise<void> {
    const { recorder, repo, logger, intake, hooks } = this.deps;
    const outcomes = effects.toRecord.length
      ? await recorder.recordIn(
          em,
          effects.toRecord.map((r) => ({ channelId: r.channel.id, submission: r.submission, raw: r.raw, rawContentType: r.channel.rawContentType })),
        )
      : [];
    const recorded = effects.toRecord.map((r, i) => {
      const outcome = outcomes[i];
      if (!(outcome instanceof SubmissionValidationError)) return { r, outcome };
      // A draft the schema refuses would be refused again on every redelivery: it is logged and dropped.
      logger.error({ channelId: r.channel.id, refs: r.refs, err: outcome.message }, 'gathered draft refused by the submission schema');
      return { r, outcome: null };
    });
    const requeue: { submissionId: string; sourceKey: string; attempt: number }[] = [];
    for (const { channel, action, raw } of effects.amends) {
      const amended = await repo.amendSubmission(em, {
        sourceKey: sourceKeyOf(channel.type, action.ref),
        text: action.newText,
        refs: action.refs,
        location: action.location,
        editRaw: raw,
        editedRef: action.editedRef,
      });
      if (!amended) {
        logger.warn({ channelId: channel.id, ref: action.ref }, 'edit of a submission that is not recorded');
        continue;
      }
      requeue.push({ submissionId: amended.id, sourceKey: amended.sourceKey, attempt: amended.replayCount });
    }
    for (const q of effects.statusQueries) {
      const mine = await repo.submissionsOf(q.channel.type, q.conversationKey);
      q.replyTo.push(statusReply(q.receipt, mine.find((s) => receiptOf(s.sourceKey) === q.receipt) ?? null));
    }
    later(async () => {
      recorder.queueRecorded(recorded.flatMap((x) => (x.outcome ? [x.outcome] : [])));
      if (requeue.length) await intake.enqueue(requeue);
      const created = recorded.filter((x) => x.outcome?.created);
      if (hooks?.onRecorded && created.length) {
        const byChannel = new Map<string, { channel: ConversationChannel; outcomes: RecordOutcome[] }>();
        for (const x of created) {
          const g = byChannel.get(x.r.channel.id) ?? { channel: x.r.channel, outcomes: [] };
          g.outcomes.push(x.outcome!);
          byChannel.set(x.r.channel.id, g);
        }
        for (const g of byChannel.values()) await hooks.onRecorded(g.channel, g.outcomes);
      }
    });
  }
}

const STATUS_TEXT: Record<string, string> = {
  pending: '已登记，正在分办中',
  accepted: '已受理',
  out_of_scope: '不属于生态环境部门职责范围',
  rejected: '未予受理',
};

/**
 * The answer to `/status <receipt>`: only ever about a submission of the asking conversation. A receipt of
 * someone else's submission gets the same answer as one that does not exist.
 */
export function statusReply(receipt: string, s: ConversationSubmission | null): string {
  const r = formatReceipt(receipt);
  if (!s) return `本会话中没有回执号为 ${r} 的举报。请核对回执号；回执号只能在提交举报的会话中查询。`;
  const parts = [`回执号 ${r}：${STATUS_TEXT[s.status] ?? s.status}`];
  if (s.status === 'accepted' && s.caseNumber) parts.push(`案件编号 ${s.caseNumber}`);
  if (s.status === 'out_of_scope' && s.referral) parts.push(`建议向 ${s.referral} 反映`);
  if (s.status === 'rejected' && s.reason) parts.push(`原因：${s.reason}`);
  if (s.flags.includes('edited')) parts.push('已按您的修改更新');
  return `${parts.join('，')}。`;
}
