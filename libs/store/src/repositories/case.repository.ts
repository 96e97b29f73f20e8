import type { DataSource } from 'typeorm';
import { CaseEntity } from '../entities/case.entity';
import { SubmissionEntity } from '../entities/submission.entity';
import { isUuid } from './submission.repository';

export class CaseRepository {
  constructor(private readonly ds: DataSource) {}

  async findById(id: string): Promise<CaseEntity | null> {
    if (!isUuid(id)) return null;
    return this.ds.getRepository(CaseEntity).findOne({ where: { id } });
  }

  async submissionsOf(caseId: string): Promise<SubmissionEntity[]> {
    return this.ds.getRepository(SubmissionEntity).find({ where: { caseId }, order: { receivedAt: 'ASC' } });
  }
}
