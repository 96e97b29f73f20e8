import { HttpException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { bodyPolicyFor, type BodyLimits, type BodyPolicy } from './body-policy';

/**
 * Gives every route its body policy (in its route config, fixed when the route is registered, so a request
 * pays one lookup) and reads bodies accordingly. Replaces Fastify's own parsers: they would parse JSON on
 * routes that need the raw bytes.
 */
export function registerRequestBodies(fastify: FastifyInstance, limits: BodyLimits): void {
  const fallback = bodyPolicyFor('', limits);
  fastify.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), body: bodyPolicyFor(route.url, limits) };
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void) => {
    const policy = (request.routeOptions.config as { body?: BodyPolicy }).body ?? fallback;
    if (policy.kind === 'stream') {
      done(null, undefined);
      return;
    }
    readBody(payload, request.headers['content-length'], policy).then(
      (bytes) => {
        if (policy.kind === 'raw') return done(null, bytes);
        try {
          done(null, isJson(request.headers['content-type']) ? parseJson(bytes) : undefined);
        } catch (err) {
          done(err as Error);
        }
      },
      (err) => done(err),
    );
  });
}

async function readBody(payload: IncomingMessage, declared: string | undefined, policy: BodyPolicy): Promise<Buffer> {
  try {
    return await getRawBody(payload, { length: declared, limit: policy.limit });
  } catch (err) {
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') throw new HttpException({ statusCode: 413, error: 'Payload Too Large', message: policy.tooLarge }, 413);
    if (e.status && e.status < 500) throw new HttpException({ statusCode: e.status, message: e.message }, e.status);
    throw err;
  }
}

function isJson(contentType: string | undefined): boolean {
  return !!contentType && /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType);
}

/** As Express's JSON parser did: an empty body is `{}`, and only an object or an array is a JSON body. */
function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8').trim();
  if (text === '') return {};
  if (text[0] !== '{' && text[0] !== '[') throw new HttpException({ statusCode: 400, message: 'the body must be a JSON object or array' }, 400);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpException({ statusCode: 400, message: (err as Error).message }, 400);
  }
}
