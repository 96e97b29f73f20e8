import * as http from 'node:http';
import { createTestEnv, type TestEnv } from './support/env';
import { getJson, postJson, startGateway, type RunningGateway } from './support/apps';
import { webForm } from './support/forms';

const ADMIN = { authorization: 'Bearer test-admin-token' };

/** Sends only the headers of a POST that declares `length` bytes, and resolves with the answer. */
function declareOnly(url: string, path: string, length: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(length), ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('the gateway over HTTP', () => {
  let env: TestEnv;
  let gw: RunningGateway;

  beforeAll(async () => {
    env = await createTestEnv({ BODY_LIMIT: '4kb' });
    gw = await startGateway(env.config);
  });
  afterAll(async () => {
    await gw?.close();
    await env?.dispose();
  });

  it('refuses a body whose declared size is over the limit before reading any of it', async () => {
    const intake = await declareOnly(gw.url, '/v1/submissions', 50_000);
    expect(intake.status).toBe(413);
    expect(JSON.parse(intake.body)).toEqual({ statusCode: 413, error: 'Payload Too Large', message: 'body over the 4096-byte limit' });
    const admin = await declareOnly(gw.url, '/v1/admin/channels', 2 * 1024 * 1024, ADMIN);
    expect(admin.status).toBe(413);
    expect(JSON.parse(admin.body).message).toBe(`body over the ${1024 * 1024}-byte limit`);
  });

  it('answers 400 to an admin body that is not a JSON object, and parses one that is', async () => {
    const broken = await postJson(`${gw.url}/v1/admin/channels`, '{"type": "web", ', ADMIN);
    expect(broken.status).toBe(400);
    expect(broken.json).toMatchObject({ statusCode: 400, message: expect.any(String) });
    expect((await postJson(`${gw.url}/v1/admin/channels`, '"web"', ADMIN)).status).toBe(400);
    const created = await postJson(`${gw.url}/v1/admin/channels`, { type: 'web', name: 'http-portal', homeDivision: '320102' }, ADMIN);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ type: 'web', name: 'http-portal' });
  });

  it('takes a submission with or without a trailing slash, and answers unknown routes 404 in the usual shape', async () => {
    const res = await postJson(`${gw.url}/v1/submissions/`, webForm({ client_token: 'slash-1' }));
    expect(res.status).toBe(202);
    expect((await getJson(`${gw.url}${res.json.statusUrl}`)).json).toMatchObject({ id: res.json.id, ref: 'slash-1' });
    const missing = await getJson(`${gw.url}/v1/nothing-here`);
    expect(missing).toEqual({ status: 404, json: { statusCode: 404, error: 'Not Found', message: 'Cannot GET /v1/nothing-here' } });
  });

  it('serves the queue dashboard API behind basic auth', async () => {
    expect((await getJson(`${gw.url}/ops/queues/api/queues`)).status).toBe(401);
    const basic = { authorization: `Basic ${Buffer.from('ops:test-admin-token').toString('base64')}` };
    const queues = await getJson(`${gw.url}/ops/queues/api/queues`, basic);
    expect(queues.status).toBe(200);
    expect(queues.json.queues.map((q: { name: string }) => q.name)).toContain('intake');
  });
});
