import type { ImportEntity } from '@huiliu/store';

/** An import as the API shows it: progress while it runs, the result afterwards. */
export function importView(i: ImportEntity) {
  return {
    id: i.id,
    channelId: i.channelId,
    channelType: i.channelType,
    fileName: i.fileName,
    fileSize: Number(i.fileSize),
    fileBlobKey: i.fileBlobKey,
    origin: i.origin,
    status: i.status,
    rowsRead: i.rowsRead,
    recorded: i.recorded,
    duplicates: i.duplicates,
    rejected: i.rejected,
    error: i.error,
    facts: i.facts,
    createdAt: i.createdAt,
    startedAt: i.startedAt,
    finishedAt: i.finishedAt,
    updatedAt: i.updatedAt,
    reportUrl: `/v1/imports/${i.id}/report`,
  };
}
