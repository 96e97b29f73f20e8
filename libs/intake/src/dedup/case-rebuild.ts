import type { EntityManager } from 'typeorm';
import { caseFeaturesOf, dedupInputOf, divisionLevelOf, incidentTime, indexEntries, mergeCaseFeatures, type CaseFeatures } from '@huiliu/pipeline';
import type { CaseEntity, CaseIndexRepository, CaseKeyRow, CaseRepository, CaseWrite } from '@huiliu/store';

export interface CaseRebuildDeps {
  cases: CaseRepository;
  index: CaseIndexRepository;
  /** The complainant-key secret, to recompute each member's dedup input. */
  pepper: string;
}

const LIVE = new Set(['open', 'closed']);

/**
 * Recomputes what a case knows from its members, in incident-time order: features, division, counts,
 * repeat-petition marks and the index rows. A case left without members is marked empty. The caller holds
 * the case's row lock.
 */
export async function rebuildCase(em: EntityManager, deps: CaseRebuildDeps, c: Pick<CaseEntity, 'id' | 'status' | 'category' | 'divisionCode' | 'title'>): Promise<void> {
  const members = (await deps.cases.members(em, c.id)).map((m) => ({
    m,
    input: m.judgement ? dedupInputOf(m.submission, m.judgement, { channelType: m.channelType, receivedAt: m.receivedAt, pepper: deps.pepper }) : null,
    at: incidentTime(m.submission, m.receivedAt),
  }));
  members.sort((a, b) => a.at - b.at);
  let features: CaseFeatures | null = null;
  const marks: { id: string; repeat: boolean }[] = [];
  const reporters = new Set<string>();
  for (const { m, input } of members) {
    if (!input) continue;
    const key = input.side.complainantKey;
    const repeat = !!key && reporters.has(key);
    if (key) reporters.add(key);
    if (repeat !== m.repeatPetition) marks.push({ id: m.id, repeat });
    m.repeatPetition = repeat;
    features = features ? mergeCaseFeatures(features, input.side) : caseFeaturesOf(input.side);
  }
  const category = c.category ?? features?.category ?? null;
  const divisionCode = features?.divisionCode ?? (members.length ? c.divisionCode : null);
  const write: CaseWrite = {
    id: c.id,
    isNew: false,
    status: members.length ? (LIVE.has(c.status) ? c.status : 'open') : 'empty',
    features: features as unknown as Record<string, unknown> | null,
    divisionCode,
    divisionLevel: divisionCode ? divisionLevelOf(divisionCode) : null,
    category,
    title: c.title,
    submissionCount: members.length,
    channelTypes: [...new Set(members.map((x) => x.m.channelType))].sort(),
    firstReportedAt: members.length ? new Date(members[0].at) : null,
    lastReportedAt: members.length ? new Date(members[members.length - 1].at) : null,
    repeatCount: members.filter((x) => x.m.repeatPetition).length,
    suggestedCount: members.filter((x) => x.m.match === 'suggested').length,
  };
  await deps.cases.setRepeatPetition(em, marks);
  await deps.index.dropKeys(em, [c.id]);
  const rows: CaseKeyRow[] = [];
  for (const { input } of members) {
    if (!input) continue;
    for (const e of indexEntries(divisionCode, input.side.category ?? 'none', input.keys)) rows.push({ caseId: c.id, key: e.key, division: e.division, lastAt: write.lastReportedAt! });
  }
  await deps.index.save(em, [write], rows);
}

/**
 * Rebuilds the cases amended submissions were in, once the new text has been judged and placed: the old
 * text's details, counts and index rows go, and a case left without members becomes empty. Cases are
 * locked in id order, as officers' decisions lock them. A case merged away meanwhile stays as it is: its
 * members are in the other case, which was rebuilt when they moved.
 */
export async function rebuildCases(em: EntityManager, deps: CaseRebuildDeps, caseIds: string[]): Promise<void> {
  for (const c of await deps.cases.lockCases(em, caseIds)) {
    if (LIVE.has(c.status)) await rebuildCase(em, deps, c);
  }
}
