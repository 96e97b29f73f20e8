/** Postgres error codes the store reacts to. */
export const PG = {
  uniqueViolation: '23505',
  deadlock: '40P01',
  serializationFailure: '40001',
  undefinedDatabase: '3D000',
} as const;

export function pgCode(err: unknown): string | undefined {
  return (err as { code?: string; driverError?: { code?: string } })?.driverError?.code ?? (err as { code?: string })?.code;
}

/** Retries a transaction that lost a deadlock or serialization race; those are safe to run again. */
export async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = pgCode(err);
      if (i >= attempts || (code !== PG.deadlock && code !== PG.serializationFailure)) throw err;
      await new Promise((r) => setTimeout(r, 5 * i + Math.random() * 20));
    }
  }
}
