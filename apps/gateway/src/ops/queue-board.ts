import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isAdminRequest } from '../admin/admin.guard';

export const QUEUE_BOARD_PATH = '/ops/queues';

/** Bull Board behind the admin token as HTTP basic auth, so operators can open it in a browser. */
export function queueBoard(queues: Queue[], adminToken: string): FastifyPluginAsync {
  const adapter = new FastifyAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: adapter, options: { uiConfig: { boardTitle: 'Huiliu queues' } } });
  return async (scope) => {
    scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (isAdminRequest(req, adminToken)) return;
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Basic realm="huiliu-ops", charset="UTF-8"')
        .type('text/plain; charset=utf-8')
        .send('admin token required: user any, password ADMIN_TOKEN');
    });
    await scope.register(adapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  };
}
