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
