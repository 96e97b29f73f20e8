import { DataSource } from 'typeorm';
import { CaseEntity } from './entities/case.entity';
import { ChannelEntity } from './entities/channel.entity';
import { SubmissionEntity } from './entities/submission.entity';
import { Corrections1796200000000 } from './migrations/1796200000000-corrections';
import { IntakeBackbone1764403200000 } from './migrations/1764403200000-intake-backbone';
import { ImportEntity } from './entities/import.entity';
import { Imports1795945622807 } from './migrations/1795945622807-imports';
import { MailboxCheckpointEntity } from './entities/mailbox-checkpoint.entity';
import { DeadLetterEntity } from './entities/dead-letter.entity';
import { EmailChannel1796000000004 } from './migrations/1796000000004-email-channel';
import { ConversationInboundEntity, ConversationStateEntity } from './entities/conversation-state.entity';
import { Conversations1796100000006 } from './migrations/1796100000006-conversations';
import { CaseMatching1796300000000 } from './migrations/1796300000000-case-matching';
import { AmendedCase1796400000000 } from './migrations/1796400000000-amended-case';
import { ComplainantMembers1796400000001 } from './migrations/1796400000001-complainant-members';

export const ENTITIES = [ChannelEntity, SubmissionEntity, CaseEntity, ImportEntity, MailboxCheckpointEntity, DeadLetterEntity, ConversationStateEntity, ConversationInboundEntity];
export const MIGRATIONS = [IntakeBackbone1764403200000, Imports1795945622807, EmailChannel1796000000004, Conversations1796100000006, Corrections1796200000000, CaseMatching1796300000000, AmendedCase1796400000000, ComplainantMembers1796400000001];

export function createDataSource(url: string, opts: { poolSize?: number; applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
    extra: {
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: 10000,
      application_name: opts.applicationName ?? 'huiliu',
    },
  });
}

/**
 * Applies pending migrations under an advisory lock, so gateway and worker starting together do not race.
 * The lock holds one connection while TypeORM runs on another: the pool needs at least two.
 */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(7366001)`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(7366001)`).catch(() => undefined);
    await runner.release();
  }
}
