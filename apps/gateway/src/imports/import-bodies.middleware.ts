import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppConfig } from '@huiliu/platform';

/** `POST /v1/channels/:idOrName/imports`: the body is a file, streamed to the blob store. */
export const IMPORT_UPLOAD_PATH = /^\/v1\/channels\/[^/]+\/imports\/?$/;
export const UPLOAD_CONTENT_TYPE_HEADER = 'x-upload-content-type';

/**
 * Body handling for the import and registration routes, mounted before the global JSON parser:
 * - an import upload keeps its raw stream: its Content-Type is moved aside so no body parser reads it;
 * - a registration (JSON with base64 scanned pages) gets its own size limit, REGISTRATION_MAX_BYTES.
 */
export function importBodies(app: INestApplication, config: AppConfig): void {
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (req.method === 'POST' && IMPORT_UPLOAD_PATH.test(req.path)) {
      req.headers[UPLOAD_CONTENT_TYPE_HEADER] = req.headers['content-type'] ?? '';
      req.headers['content-type'] = 'application/octet-stream';
    }
    next();
  });
  app.use(
    '/v1/channels/:type/registrations',
    express.json({ limit: config.REGISTRATION_MAX_BYTES }),
    (err: { type?: string; status?: number; message?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.too.large') {
        res.status(413).json({ statusCode: 413, error: 'Payload Too Large', message: `registration over the ${config.REGISTRATION_MAX_BYTES}-byte limit (REGISTRATION_MAX_BYTES)` });
        return;
      }
      if (err?.status && err.status < 500) {
        res.status(err.status).json({ statusCode: err.status, message: err.message });
        return;
      }
      next(err);
    },
  );
}
