import { Client } from 'pg';
import { ADMIN_URL } from './env';

/** Drops this run's databases (the template and any a killed test file left behind). */
export default async function globalTeardown(): Promise<void> {
  const run = process.env.HUILIU_TEST_RUN ?? String(process.pid);
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const rows = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`, [`huiliu\\_t\\_${run}\\_%`, `huiliu_tpl_${run}`]);
    for (const r of rows.rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
