import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { MatchConfig } from '@huiliu/pipeline';
import { CaseIndexRepository, retryOnConflict, type CaseEntity, type CaseRepository } from '@huiliu/store';
import { rebuildCase } from './case-rebuild';

/** A refused case decision: `status` is the HTTP status that says why (404 unknown, 409 not possible now). */
export class CaseDecisionError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export interface Officer {
  by: string;
  reason?: string | null;
}

const LIVE = new Set(['open', 'closed']);

/**
 * Officers' decisions on case membership: confirm a suggested duplicate, split a member into its own case,
 * move a member to another case, merge two cases. Each runs in one transaction with the cases locked, is
 * written to the case's audit trail, and pins the members it places (match `confirmed` or `manual`), so a
 * later re-run of the pipeline leaves them where the officer put them. The cases it changes have their
 * features, counts and index rows rebuilt from their members.
 */
export class CaseService {
  private readonly index = new CaseIndexRepository();

  constructor(
    private readonly ds: DataSource,
    private readonly cases: CaseRepository,
    private readonly settings: { match: MatchConfig; pepper: string },
  ) {}

  confirm(caseId: string, submissionId: string, officer: Officer): Promise<void> {
    return this.run(async (em) => {
      const [c] = await this.lockLive(em, [caseId]);
      await this.memberOf(em, submissionId, c.id);
      await this.cases.place(em, [submissionId], c.id, 'confirmed');
      await this.rebuild(em, c);
      await this.cases.addEvent(em, { caseId: c.id, submissionId, action: 'confirm', actor: officer.by, reason: officer.reason ?? null, details: {} });
    });
  }

  /** Takes a member out into a case of its own; returns the new case's id. */
  split(caseId: string, submissionId: string, officer: Officer): Promise<string> {
    return this.run(async (em) => {
      const [c] = await this.lockLive(em, [caseId]);
      await this.memberOf(em, submissionId, c.id);
      if (c.submissionCount <= 1) throw new CaseDecisionError(409, `submission ${submissionId} is the only member of case ${c.id}`);
      const fresh = await this.openEmpty(em, c);
      await this.cases.place(em, [submissionId], fresh.id, 'manual');
      await this.rebuild(em, c);
      await this.rebuild(em, fresh);
      const reason = officer.reason ?? null;
      await this.cases.addEvent(em, { caseId: c.id, submissionId, action: 'split', actor: officer.by, reason, details: { to: fresh.id } });
      await this.cases.addEvent(em, { caseId: fresh.id, submissionId, action: 'split', actor: officer.by, reason, details: { from: c.id } });
      return fresh.id;
    });
  }

  /** Moves a submission (judged and accepted) into another case. */
  move(submissionId: string, targetCaseId: string, officer: Officer): Promise<void> {
    return this.run(async (em) => {
      const sub = await this.cases.lockSubmission(em, submissionId);
      if (!sub) throw new CaseDecisionError(404, `no submission ${submissionId}`);
      if (sub.status !== 'accepted') throw new CaseDecisionError(409, `submission ${submissionId} is ${sub.status}, not an accepted complaint`);
      if (sub.caseId === targetCaseId) throw new CaseDecisionError(409, `submission ${submissionId} is already in case ${targetCaseId}`);
      const locked = await this.lockLive(em, sub.caseId ? [sub.caseId, targetCaseId] : [targetCaseId], targetCaseId);
      const target = locked.find((c) => c.id === targetCaseId)!;
      const source = locked.find((c) => c.id === sub.caseId) ?? null;
      await this.cases.place(em, [submissionId], target.id, 'manual');
      await this.rebuild(em, target);
      if (source) await this.rebuild(em, source);
      const reason = officer.reason ?? null;
      await this.cases.addEvent(em, { caseId: target.id, submissionId, action: 'move', actor: officer.by, reason, details: { from: source?.id ?? null } });
      if (source) await this.cases.addEvent(em, { caseId: source.id, submissionId, action: 'move', actor: officer.by, reason, details: { to: target.id } });
    });
  }

  /** Every member of `sourceCaseId` joins `targetCaseId`; the source is closed as merged and stops attracting reports. */
  merge(targetCaseId: string, sourceCaseId: string, officer: Officer): Promise<{ moved: number }> {
    if (targetCaseId === sourceCaseId) return Promise.reject(new CaseDecisionError(400, 'a case cannot be merged into itself'));
    return this.run(async (em) => {
      const locked = await this.lockLive(em, [targetCaseId, sourceCaseId]);
      const target = locked.find((c) => c.id === targetCaseId)!;
      const source = locked.find((c) => c.id === sourceCaseId)!;
      const members = await this.cases.members(em, source.id);
      await this.cases.place(em, members.map((m) => m.id), target.id, 'manual');
      await this.cases.markMerged(em, source.id, target.id);
      await this.index.dropKeys(em, [source.id]);
      await this.rebuild(em, target);
      const reason = officer.reason ?? null;
      const details = { from: source.id, submissions: members.map((m) => m.id) };
      await this.cases.addEvent(em, { caseId: target.id, submissionId: null, action: 'merge', actor: officer.by, reason, details });
      await this.cases.addEvent(em, { caseId: source.id, submissionId: null, action: 'merged_into', actor: officer.by, reason, details: { into: target.id } });
      return { moved: members.length };
    });
  }

  private run<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return retryOnConflict(() => this.ds.transaction(fn));
  }

  /** Locks the cases; all must exist, and all (or only `mustBeLive`) must still be open or closed. */
  private async lockLive(em: EntityManager, ids: string[], mustBeLive?: string): Promise<CaseEntity[]> {
    const locked = await this.cases.lockCases(em, ids);
    for (const id of ids) {
      const c = locked.find((x) => x.id === id);
      if (!c) throw new CaseDecisionError(404, `no case ${id}`);
      if ((!mustBeLive || mustBeLive === id) && !LIVE.has(c.status)) {
        throw new CaseDecisionError(409, c.status === 'merged' ? `case ${id} was merged into ${c.mergedInto}` : `case ${id} has no members`);
      }
    }
    return locked;
  }

  private async memberOf(em: EntityManager, submissionId: string, caseId: string): Promise<void> {
    const sub = await this.cases.lockSubmission(em, submissionId);
    if (!sub) throw new CaseDecisionError(404, `no submission ${submissionId}`);
    if (sub.caseId !== caseId) throw new CaseDecisionError(409, `submission ${submissionId} is not in case ${caseId}`);
  }

  private async openEmpty(em: EntityManager, like: CaseEntity): Promise<CaseEntity> {
    const id = randomUUID();
    await this.index.save(em, [
      {
        id,
        isNew: true,
        status: 'open',
        features: null,
        divisionCode: like.divisionCode,
        divisionLevel: like.divisionLevel,
        category: like.category,
        title: like.title,
        submissionCount: 0,
        channelTypes: [],
        firstReportedAt: null,
        lastReportedAt: null,
        repeatCount: 0,
        suggestedCount: 0,
      },
    ]);
    return (await this.cases.lockCases(em, [id]))[0];
  }

  private rebuild(em: EntityManager, c: CaseEntity): Promise<void> {
    return rebuildCase(em, { cases: this.cases, index: this.index, pepper: this.settings.pepper }, c);
  }
}
