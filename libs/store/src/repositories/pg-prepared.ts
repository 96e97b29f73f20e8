import type { EntityManager } from 'typeorm';

interface PgClient {
  query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs a statement as a named prepared statement on the transaction's connection: Postgres parses and plans
 * it once per connection instead of at every execution, which for the statements a hot path sends in every
 * batch is a large share of their cost. One name, one text. Without a connection of its own (an
 * EntityManager outside a transaction) it runs as an ordinary statement.
 */
export async function preparedQuery<T>(em: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  const client = (em.queryRunner as unknown as { databaseConnection?: PgClient } | undefined)?.databaseConnection;
  if (!client) return em.query(text, values);
  return (await client.query({ name, text, values })).rows as T[];
}

/**
 * A Postgres array literal of values that need no quoting (numbers, decimal bigints, UUIDs, ISO
 * timestamps), for `$n::int[]` and the like. The driver would quote and escape every element of a JS
 * array one by one, which for the dedup stage's probes (tens of thousands of elements per batch) costs
 * more than the statement itself.
 */
export function plainArray(values: readonly (string | number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += ',';
    if (v === null) out += 'NULL';
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
      out += v;
    } else if (PLAIN.test(v) && !(v.length === 4 && v.toUpperCase() === 'NULL')) out += v;
    else throw new Error(`array element needs quoting: ${JSON.stringify(v).slice(0, 40)}`);
  }
  return out + '}';
}

const PLAIN = /^[0-9A-Za-z:.+-]+$/;
