import { bodyPolicyFor } from '../body-policy';

const limits = { BODY_LIMIT: 1000, WEBHOOK_BODY_LIMIT: 2000, WECHAT_BODY_LIMIT: 300, IMPORT_MAX_BYTES: 9000, REGISTRATION_MAX_BYTES: 5000 };

describe('body policy by route', () => {
  it('keeps the raw bytes where they are signed or stored as the original', () => {
    expect(bodyPolicyFor('/v1/submissions', limits)).toMatchObject({ kind: 'raw', limit: 1000, tooLarge: 'body over the 1000-byte limit' });
    expect(bodyPolicyFor('/v1/submissions/:id/corrections', limits)).toMatchObject({ kind: 'raw', limit: 1000 });
    expect(bodyPolicyFor('/v1/hooks/:channelName', limits)).toMatchObject({ kind: 'raw', limit: 2000, tooLarge: 'body over the 2000-byte limit' });
    expect(bodyPolicyFor('/v1/channels/:name/wechat', limits)).toMatchObject({ kind: 'raw', limit: 300 });
    expect(bodyPolicyFor('/v1/channels/:name/telegram', limits)).toMatchObject({ kind: 'raw', limit: 300 });
  });

  it('leaves an upload unread for its handler to stream, and gives registrations their own limit', () => {
    expect(bodyPolicyFor('/v1/channels/:idOrName/imports', limits)).toMatchObject({ kind: 'stream', limit: 9000 });
    expect(bodyPolicyFor('/v1/channels/:type/registrations', limits)).toMatchObject({ kind: 'json', limit: 5000, tooLarge: expect.stringContaining('REGISTRATION_MAX_BYTES') });
  });

  it('parses JSON up to 1 MiB everywhere else', () => {
    for (const url of ['/v1/admin/channels', '/v1/admin/channels/:idOrName/dry-run', '/v1/cases/:id/merge', '/ops/queues/api/queues/:queueName/retry/:queueStatus', '']) {
      expect(bodyPolicyFor(url, limits)).toMatchObject({ kind: 'json', limit: 1024 * 1024 });
    }
    // Look-alikes of the raw routes are not raw.
    expect(bodyPolicyFor('/v1/submissionsx', limits).kind).toBe('json');
    expect(bodyPolicyFor('/v1/channels/:name/wechat/extra', limits).kind).toBe('json');
  });
});
