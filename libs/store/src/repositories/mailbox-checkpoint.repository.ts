import type { DataSource } from 'typeorm';

export interface MailboxCheckpoint {
  channelId: string;
  folder: string;
  uidValidity: bigint;
  lastUid: number;
  rescans: number;
}

/** Checkpoints of IMAP mailboxes, one row per channel and folder. */
export class MailboxCheckpointRepository {
  constructor(private readonly ds: DataSource) {}

  async get(channelId: string, folder: string): Promise<MailboxCheckpoint | null> {
    const rows: { uid_validity: string; last_uid: string; rescans: number }[] = await this.ds.query(
      `SELECT uid_validity, last_uid, rescans FROM mailbox_checkpoints WHERE channel_id = $1 AND folder = $2`,
      [channelId, folder],
    );
    if (!rows.length) return null;
    return { channelId, folder, uidValidity: BigInt(rows[0].uid_validity), lastUid: Number(rows[0].last_uid), rescans: rows[0].rescans };
  }

  /**
   * Starts the mailbox over under a new UIDVALIDITY (or for the first time): last UID 0. Counts a rescan
   * when a checkpoint under another UIDVALIDITY existed.
   */
  async restart(channelId: string, folder: string, uidValidity: bigint): Promise<MailboxCheckpoint> {
    const rows: { last_uid: string; rescans: number }[] = await this.ds.query(
      `INSERT INTO mailbox_checkpoints (channel_id, folder, uid_validity, last_uid, rescans) VALUES ($1, $2, $3, 0, 0)
       ON CONFLICT ON CONSTRAINT pk_mailbox_checkpoints DO UPDATE
         SET uid_validity = EXCLUDED.uid_validity, last_uid = 0, updated_at = now(),
             rescans = mailbox_checkpoints.rescans + CASE WHEN mailbox_checkpoints.uid_validity <> EXCLUDED.uid_validity THEN 1 ELSE 0 END
       RETURNING last_uid, rescans`,
      [channelId, folder, uidValidity.toString()],
    );
    return { channelId, folder, uidValidity, lastUid: Number(rows[0].last_uid), rescans: rows[0].rescans };
  }

  /**
   * Moves the last UID forward (never back) under the given UIDVALIDITY. Returns false when the row has
   * another UIDVALIDITY by now (a concurrent rescan): the caller's UIDs mean nothing there.
   */
  async advance(channelId: string, folder: string, uidValidity: bigint, lastUid: number): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `UPDATE mailbox_checkpoints SET last_uid = GREATEST(last_uid, $4), updated_at = now()
       WHERE channel_id = $1 AND folder = $2 AND uid_validity = $3 RETURNING 1`,
      [channelId, folder, uidValidity.toString(), lastUid],
    );
    return rows.length > 0;
  }

  async listFor(channelId: string): Promise<MailboxCheckpoint[]> {
    const rows: { folder: string; uid_validity: string; last_uid: string; rescans: number }[] = await this.ds.query(
      `SELECT folder, uid_validity, last_uid, rescans FROM mailbox_checkpoints WHERE channel_id = $1 ORDER BY folder`,
      [channelId],
    );
    return rows.map((r) => ({ channelId, folder: r.folder, uidValidity: BigInt(r.uid_validity), lastUid: Number(r.last_uid), rescans: r.rescans }));
  }
}
