/**
 * Every queue Huiliu uses. Never rename a value: jobs already queued under the old name would be stranded.
 */
export const QUEUES = {
  /** Submission ids waiting to be judged: validate → locate → classify → dedup → persist. */
  intake: 'intake',
  /** Uploaded export and register files waiting to be imported (one job per file). */
  imports: 'imports',
  /** Files a chat platform holds (Telegram photos and documents), fetched into the blob store after recording. */
  media: 'media',
  /** Answers to send into a chat that no request is waiting for (the receipt of a draft closed by its quiet period). */
  replies: 'replies',
} as const;
// Channel work (imports, media downloads, deliveries) adds its queues here, with its payloads below.
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Job payloads, one entry per job name, shared by the side that enqueues and the side that processes. */
export interface JobPayloads {
  'intake.judge': { submissionId: string; sourceKey: string };
  /** Bulk producers (file imports) queue submissions in batches: one job judges many. */
  'intake.judge-batch': { submissionIds: string[] };
  /** Import one stored file (a row of the imports table) into the inbox. */
  'imports.run': { importId: string };
  /** Fetch one attachment of a recorded submission by its platform file id. */
  'media.fetch': { submissionId: string; attachmentIndex: number; fileId: string; channelId: string };
  /** Send texts into a chat conversation (Telegram chat or group member, WeChat follower), in order. */
  'replies.send': { channelId: string; conversationKey: string; texts: string[]; replyToRef: string | null };
}
export type JobName = keyof JobPayloads;
export type JobOf<N extends JobName> = { name: N; data: JobPayloads[N] };

export const JOB_QUEUE: { [N in JobName]: QueueName } = {
  'intake.judge': QUEUES.intake,
  'intake.judge-batch': QUEUES.intake,
  'imports.run': QUEUES.imports,
  'media.fetch': QUEUES.media,
  'replies.send': QUEUES.replies,
};
