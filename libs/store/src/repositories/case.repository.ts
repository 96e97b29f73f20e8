import type { DataSource, EntityManager } from 'typeorm';
import type { ChannelType, Complainant, Judgement, Submission, SubmissionStatus } from '@huiliu/contracts';
import { CaseEntity } from '../entities/case.entity';
import { SubmissionEntity } from '../entities/submission.entity';
import { isUuid } from './submission.repository';

/** A member of a case with what rebuilding the case's features needs. */
export interface CaseMember {
  id: string;
  ref: string;
  channelType: ChannelType;
  status: SubmissionStatus;
  match: string | null;
  repeatPetition: boolean;
  receivedAt: Date;
  submission: Submission;
  judgement: Judgement | null;
}

export type CaseAction = 'confirm' | 'split' | 'move' | 'merge' | 'merged_into';

export interface CaseEvent {
  id: string;
  caseId: string;
  submissionId: string | null;
  action: CaseAction;
  actor: string;
  reason: string | null;
  details: Record<string, unknown>;
  at: Date;
}

export class CaseRepository {
  constructor(private readonly ds: DataSource) {}

  async findById(id: string): Promise<CaseEntity | null> {
    if (!isUuid(id)) return null;
    return this.ds.getRepository(CaseEntity).findOne({ where: { id } });
  }

  /** The case's submissions in the order they were reported (the timeline). */
  async submissionsOf(caseId: string): Promise<SubmissionEntity[]> {
    return this.ds
      .getRepository(SubmissionEntity)
      .createQueryBuilder('s')
      .where('s.case_id = :caseId', { caseId })
      .orderBy(`COALESCE((s.payload->>'submittedAt')::timestamptz, s.received_at)`, 'ASC')
      .addOrderBy('s.seq', 'ASC')
      .getMany();
  }

  /** Distinct identified complainants among the members, and members without any identity. */
  async reporterCounts(caseId: string): Promise<{ identified: number; unidentified: number }> {
    const [row]: { identified: string; unidentified: string }[] = await this.ds.query(
      `SELECT count(DISTINCT complainant_key) AS identified, count(*) FILTER (WHERE complainant_key IS NULL) AS unidentified
         FROM submissions WHERE case_id = $1`,
      [caseId],
    );
    return { identified: Number(row.identified), unidentified: Number(row.unidentified) };
  }

  /** Locks cases (in id order, as the dedup stage does) and returns the ones that exist. */
  async lockCases(em: EntityManager, ids: string[]): Promise<CaseEntity[]> {
    const valid = [...new Set(ids.filter(isUuid))].sort();
    if (!valid.length) return [];
    return em.getRepository(CaseEntity).createQueryBuilder('c').where('c.id IN (:...ids)', { ids: valid }).orderBy('c.id').setLock('pessimistic_write').getMany();
  }

  async lockSubmission(em: EntityManager, id: string): Promise<SubmissionEntity | null> {
    if (!isUuid(id)) return null;
    return em.getRepository(SubmissionEntity).createQueryBuilder('s').where('s.id = :id', { id }).setLock('pessimistic_write').getOne();
  }

  async members(em: EntityManager, caseId: string): Promise<CaseMember[]> {
    const rows: {
      id: string;
      ref: string;
      channel_type: ChannelType;
      status: SubmissionStatus;
      match: string | null;
      repeat_petition: boolean;
      received_at: Date;
      payload: Omit<Submission, 'complainant'>;
      complainant: Complainant;
      judgement: Judgement | null;
    }[] = await em.query(
      `SELECT id, ref, channel_type, status, match, repeat_petition, received_at, payload, complainant, judgement
         FROM submissions WHERE case_id = $1 ORDER BY seq`,
      [caseId],
    );
    return rows.map((r) => ({
      id: r.id,
      ref: r.ref,
      channelType: r.channel_type,
      status: r.status,
      match: r.match,
      repeatPetition: r.repeat_petition,
      receivedAt: r.received_at,
      submission: { ...r.payload, complainant: r.complainant } as Submission,
      judgement: r.judgement,
    }));
  }

  /** Places submissions in a case by hand (or as confirmed): the placement survives every re-run. */
  async place(em: EntityManager, submissionIds: string[], caseId: string, match: 'confirmed' | 'manual'): Promise<void> {
    if (!submissionIds.length) return;
    await em.query(`UPDATE submissions SET case_id = $2, match = $3 WHERE id = ANY($1::uuid[])`, [submissionIds, caseId, match]);
  }

  async setRepeatPetition(em: EntityManager, marks: { id: string; repeat: boolean }[]): Promise<void> {
    if (!marks.length) return;
    await em.query(`UPDATE submissions s SET repeat_petition = v.repeat FROM unnest($1::uuid[], $2::bool[]) AS v(id, repeat) WHERE s.id = v.id`, [marks.map((m) => m.id), marks.map((m) => m.repeat)]);
  }

  async markMerged(em: EntityManager, caseId: string, into: string): Promise<void> {
    await em.query(
      `UPDATE cases SET status = 'merged', merged_into = $2, submission_count = 0, repeat_count = 0, suggested_count = 0, features = NULL, updated_at = now() WHERE id = $1`,
      [caseId, into],
    );
  }

  async addEvent(em: EntityManager, e: Omit<CaseEvent, 'id' | 'at'>): Promise<void> {
    await em.query(`INSERT INTO case_events (case_id, submission_id, action, actor, reason, details) VALUES ($1, $2, $3, $4, $5, $6)`, [
      e.caseId,
      e.submissionId,
      e.action,
      e.actor,
      e.reason,
      JSON.stringify(e.details),
    ]);
  }

  async events(caseId: string): Promise<CaseEvent[]> {
    const rows: { id: string; case_id: string; submission_id: string | null; action: CaseAction; actor: string; reason: string | null; details: Record<string, unknown>; at: Date }[] =
      await this.ds.query(`SELECT id::text, case_id, submission_id, action, actor, reason, details, at FROM case_events WHERE case_id = $1 ORDER BY id`, [caseId]);
    return rows.map((r) => ({ id: r.id, caseId: r.case_id, submissionId: r.submission_id, action: r.action, actor: r.actor, reason: r.reason, details: r.details, at: r.at }));
  }
}
