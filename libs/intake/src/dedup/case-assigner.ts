import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  caseFeaturesOf,
  chooseCase,
  divisionLevelOf,
  indexEntries,
  mergeCaseFeatures,
  probeEntries,
  probeHits,
  PROBE_LIMITS,
  type CaseFeatures,
  type DedupInput,
  type IndexEntry,
  type MatchConfig,
} from '@huiliu/pipeline';
import { KEY_TIME_SLACK_MS } from '@huiliu/store';
import type { CaseIndexRepository, CaseKeyRow, CaseProbe, CaseWrite, PinnedPlacement } from '@huiliu/store';

export type MatchKind = 'new' | 'auto' | 'suggested' | 'confirmed' | 'manual';

/** A judged, accepted submission waiting for its case. */
export interface CaseCandidateSubmission {
  id: string;
  channelType: string;
  /** Title for a case this submission opens. */
  title: string | null;
  input: DedupInput;
  /** An officer placed it (confirmed or moved by hand): it stays in that case whatever the scores say. */
  pinned: PinnedPlacement | null;
}

export interface CaseAssignment {
  caseId: string;
  match: MatchKind;
  repeatPetition: boolean;
  dedup: { decision: string; score: number; reasons: string[]; candidates: number };
}

const DAY_MS = 86_400_000;

/** Submissions without a category are indexed apart; they never join a case (chooseCase needs equal categories). */
function blockCategory(input: DedupInput): string {
  return input.side.category ?? 'none';
}

function levelOf(code: string | null): string | null {
  return code ? divisionLevelOf(code) : null;
}

/** Locks per candidate block; see assignCases for why this is enough. */
export function blockLocks(inputs: readonly CaseCandidateSubmission[]): { name: string; exclusive: boolean }[] {
  const locks: { name: string; exclusive: boolean }[] = [];
  for (const { input } of inputs) {
    const category = blockCategory(input);
    const division = input.side.divisionCode;
    if (division) {
      locks.push({ name: `case-block|${category}`, exclusive: false });
      locks.push({ name: `case-block|${category}|${division.slice(0, 2)}`, exclusive: true });
    } else {
      locks.push({ name: `case-block|${category}`, exclusive: true });
    }
  }
  return locks;
}

/**
 * The dedup stage's decisions for a batch, written in the caller's transaction.
 *
 * Concurrency: a submission can only join a case of its category, in its own province or without a
 * division, and a submission without a division can join any case of its category. So a submission with
 * a division takes its category's lock shared and its province's exclusively; one without takes the
 * category's exclusively. Two near-duplicates that could meet therefore never decide at the same time,
 * and the second one sees the case the first opened. Candidate case rows are also locked (FOR UPDATE),
 * which covers the remaining overlap: two provinces' reports joining one case without a division.
 *
 * Within the batch, submissions are decided in incident-time order, each seeing the cases the earlier
 * ones opened or grew.
 */
export async function assignCases(
  em: EntityManager,
  index: CaseIndexRepository,
  subs: CaseCandidateSubmission[],
  config: MatchConfig,
): Promise<Map<string, CaseAssignment>> {
  const out = new Map<string, CaseAssignment>();
  if (!subs.length) return out;
  const ordered = [...subs].sort((a, b) => a.input.side.at - b.input.side.at || a.id.localeCompare(b.id));
  await index.lock(em, blockLocks(ordered));

  const probes: CaseProbe[] = [];
  const probesOf: ReturnType<typeof probeEntries>[] = [];
  ordered.forEach((s, i) => {
    const list = s.pinned ? [] : probeEntries(s.input.side.divisionCode, blockCategory(s.input), s.input.keys, s.input.side.divisionCandidates);
    probesOf.push(list);
    const since = new Date(s.input.side.at - config.windowDays * DAY_MS - KEY_TIME_SLACK_MS);
    for (const p of list) probes.push({ i, key: p.key, lo: p.lo, hi: p.hi, since, limit: p.limit });
  });
  const pinnedIds = ordered.flatMap((s) => (s.pinned ? [s.pinned.caseId] : []));
  const loaded = await index.probeAndLoad(em, probes, pinnedIds, ordered.flatMap((s) => s.input.side.complainantKey ?? []));
  const found = new Map<number, Set<string>>();
  for (const hit of loaded.hits) {
    const set = found.get(hit.i) ?? new Set<string>();
    set.add(hit.caseId);
    found.set(hit.i, set);
  }
  const cases = new Map<string, CaseWrite & { dirty: boolean }>();
  for (const c of loaded.cases) cases.set(c.id, { ...c, isNew: false, dirty: false });
  // Per case, the batch's complainants already among its members (read from the members, so a repeat
  // petition is recognised however many people reported the case), grown as the batch places its own.
  const reporters = new Map<string, Set<string>>();
  for (const [caseId, keys] of loaded.complainants) reporters.set(caseId, new Set(keys));
  const reported = (caseId: string, key: string | null): boolean => !!key && !!reporters.get(caseId)?.has(key);

  // Index rows added by this batch, so later members of the batch find the cases earlier ones touched.
  // Per key, the cases holding it (most recent last), capped as a probe of the stored index is: in a large
  // batch a common key would otherwise make every member compare with every earlier one.
  const batchIndex = new Map<string, { caseId: string; entry: IndexEntry }[]>();
  const keyRows: CaseKeyRow[] = [];

  ordered.forEach((s, i) => {
    const side = s.input.side;
    let target: (CaseWrite & { dirty: boolean }) | undefined;
    let match: MatchKind;
    let dedup: CaseAssignment['dedup'];
    const pinnedCase = s.pinned ? cases.get(s.pinned.caseId) : undefined;
    if (s.pinned && pinnedCase) {
      target = pinnedCase;
      match = s.pinned.match;
      dedup = { decision: s.pinned.match, score: 1, reasons: [`placed by an officer in case ${pinnedCase.id}`], candidates: 1 };
    } else {
      const ids = new Set(found.get(i) ?? []);
      for (const p of probesOf[i]) {
        const holders = batchIndex.get(p.key);
        if (!holders) continue;
        // The most recent holders first, as the stored probe reads them.
        for (let j = holders.length - 1, taken = 0; j >= 0 && taken < p.limit; j--) {
          if (probeHits(p, holders[j].entry)) {
            ids.add(holders[j].caseId);
            taken++;
          }
        }
      }
      const candidates = [...ids]
        .map((id) => cases.get(id))
        .filter((c): c is CaseWrite & { dirty: boolean } => !!c && !!c.features && (c.status === 'open' || c.status === 'closed'))
        .map((c) => ({ caseId: c.id, features: c.features as unknown as CaseFeatures, complainantKnown: reported(c.id, side.complainantKey) }));
      const choice = chooseCase(side, candidates, config);
      dedup = { decision: choice.decision, score: Math.round(choice.score * 1000) / 1000, reasons: choice.reasons, candidates: candidates.length };
      if (choice.caseId && choice.decision !== 'none') {
        target = cases.get(choice.caseId)!;
        match = choice.decision === 'auto' ? 'auto' : 'suggested';
      } else {
        match = 'new';
      }
    }

    const at = new Date(side.at);
    let repeatPetition = false;
    if (!target) {
      const features = caseFeaturesOf(side);
      target = {
        id: randomUUID(),
        isNew: true,
        dirty: true,
        status: 'open',
        features: features as unknown as Record<string, unknown>,
        divisionCode: features.divisionCode,
        divisionLevel: levelOf(features.divisionCode),
        category: side.category,
        title: s.title,
        submissionCount: 1,
        channelTypes: [s.channelType],
        firstReportedAt: at,
        lastReportedAt: at,
        repeatCount: 0,
        suggestedCount: 0,
      };
      cases.set(target.id, target);
    } else {
      const before = target.features as unknown as CaseFeatures | null;
      repeatPetition = s.pinned ? s.pinned.repeatPetition : reported(target.id, side.complainantKey);
      const features = before ? mergeCaseFeatures(before, side) : caseFeaturesOf(side);
      target.features = features as unknown as Record<string, unknown>;
      target.divisionCode = features.divisionCode ?? target.divisionCode;
      target.divisionLevel = levelOf(target.divisionCode);
      // A pinned member was already counted when it was placed; a re-run only refreshes what the case knows.
      if (!s.pinned) {
        target.submissionCount += 1;
        if (repeatPetition) target.repeatCount += 1;
        if (match === 'suggested') target.suggestedCount += 1;
      }
      if (!target.channelTypes.includes(s.channelType)) target.channelTypes = [...target.channelTypes, s.channelType].sort();
      if (!target.firstReportedAt || at < target.firstReportedAt) target.firstReportedAt = at;
      if (!target.lastReportedAt || at > target.lastReportedAt) target.lastReportedAt = at;
      target.dirty = true;
    }
    if (side.complainantKey) reporters.set(target.id, (reporters.get(target.id) ?? new Set<string>()).add(side.complainantKey));

    for (const entry of indexEntries(target.divisionCode, blockCategory(s.input), s.input.keys)) {
      keyRows.push({ caseId: target.id, key: entry.key, division: entry.division, lastAt: target.lastReportedAt! });
      let holders = batchIndex.get(entry.key);
      if (!holders) batchIndex.set(entry.key, (holders = []));
      const at = holders.findIndex((h) => h.caseId === target!.id);
      if (at >= 0) holders.splice(at, 1);
      holders.push({ caseId: target.id, entry });
      if (holders.length > PROBE_LIMITS.anchor) holders.shift();
    }
    out.set(s.id, { caseId: target.id, match, repeatPetition, dedup });
  });

  const written = [...cases.values()].filter((c) => c.dirty);
  await index.save(
    em,
    written,
    keyRows.map((r) => ({ ...r, lastAt: cases.get(r.caseId)!.lastReportedAt! })),
    written.filter((c) => !c.isNew).map((c) => ({ caseId: c.id, lastAt: c.lastReportedAt! })),
  );
  return out;
}
