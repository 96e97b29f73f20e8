import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response, Router } from 'express';
import { isAdminRequest } from '../admin/admin.guard';

export const QUEUE_BOARD_PATH = '/ops/queues';

/** Bull Board behind the admin token as HTTP basic auth, so operators can open it in a browser. */
export function queueBoard(queues: Queue[], adminToken: string): { path: string; guard: (req: Request, res: Response, next: NextFunction) => void; router: Router } {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: adapter, options: { uiConfig: { boardTitle: 'Huiliu queues' } } });
  const guard = (req: Request, res: Response, next: NextFunction) => {
    if (isAdminRequest(req, adminToken)) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="huiliu-ops", charset="UTF-8"');
    res.status(401).send('admin token required: user any, password ADMIN_TOKEN');
  };
  return { path: QUEUE_BOARD_PATH, guard, router: adapter.getRouter() as Router };
}
