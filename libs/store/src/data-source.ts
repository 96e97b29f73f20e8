import { DataSource } from 'typeorm';
import { CaseEntity } from './entities/case.entity';
import { ChannelEntity } from './entities/channel.entity';
import { SubmissionEntity } from './entities/submission.entity';
import { IntakeBackbone1764403200000 } from './migrations/1764403200000-intake-backbone';

export const ENTITIES = [ChannelEntity, SubmissionEntity, CaseEntity];
export const MIGRATIONS = [IntakeBackbone1764403200000];

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
