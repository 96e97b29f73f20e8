import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  decodeWebhookBody,
  droppedItems,
  mapWebhookPayload,
  rawOfItem,
  refPrefixOf,
  verifyWebhookAuth,
  WebhookChannelSettingsSchema,
  webhookCredentialIssues,
  WebhookSettingsError,
  webhookSettingsOf,
  type WebhookHeaders,
  type WebhookMappingError,
  type WebhookSettings,
} from '@huiliu/adapters';
import { parseSubmission, sourceKeyOf, SubmissionValidationError } from '@huiliu/contracts';
import { BLOB_STORE, DATA_SOURCE, InboxRecorder, LOGGER } from '@huiliu/intake';
import { GatewayMetrics, type BlobStore, type Logger } from '@huiliu/platform';
import { ChannelRepository } from '@huiliu/store';
import { WebhookReplayStore } from './webhook-replay.store';

/** A request the endpoint will not take, with the status and body to answer; nothing was recorded. */
export class WebhookRefusal extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 422 | 503,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? status));
  }
}

interface ActiveChannel {
  id: string;
  name: string;
  enabled: boolean;
  /** Settings joined with the secret from credentials; null when the channel cannot run (problems says why). */
  settings: WebhookSettings | null;
  problems: { path: string; message: string }[];
  at: number;
}

export interface AcceptedItem {
  index: number;
  id: string;
  ref: string;
  status: string;
  duplicate: boolean;
  statusUrl: string;
}

export interface WebhookAccepted {
  channel: string;
  items: number;
  recorded: number;
  duplicates: number;
  submissions: AcceptedItem[];
  errors: WebhookMappingError[];
}

/** An admin's change (disable, new mapping, rotated secret) takes effect within this time, without a restart. */
const CHANNEL_CACHE_MS = 2000;
const CHANNEL_CACHE_MAX = 1000;

const DryRunRequest = z
  .object({
    /** A sample payload as JSON. */
    payload: z.unknown().optional(),
    /** Or the sample exactly as the source sends it (text), read like a live request. */
    body: z.string().optional(),
    /** Settings to try instead of the saved ones. */
    settings: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((r) => (r.payload === undefined) !== (r.body === undefined), { message: 'send the sample as payload (JSON) or as body (text), one of the two', path: ['payload'] });

/**
 * No-code webhook sources: authenticate a push by the channel's settings and credentials, refuse replays,
 * map the JSON by the channel's mapping and record each submission in the inbox. The dry run uses the very
 * same mapping and records nothing.
 */
@Injectable()
export class WebhookIntakeService {
  private readonly cache = new Map<string, ActiveChannel>();

  constructor(
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(InboxRecorder) private readonly recorder: InboxRecorder,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(WebhookReplayStore) private readonly replays: WebhookReplayStore,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async receive(channelName: string, headers: WebhookHeaders, body: Buffer, contentType: string | undefined): Promise<WebhookAccepted> {
    const channel = await this.activeChannel(channelName);
    if (!channel.enabled) throw this.refuse(403, { message: `channel ${channel.name} is disabled` });
    if (!channel.settings) {
      this.logger.error({ channel: channel.name, problems: channel.problems.map((p) => p.path) }, 'webhook channel cannot run: fix its settings or credentials');
      throw this.refuse(503, { message: `channel ${channel.name} is not fully configured; nothing was recorded` });
    }
    const settings = channel.settings;

    const auth = verifyWebhookAuth(headers, body, settings, Date.now());
    if (!auth.ok) {
      this.logger.warn({ channel: channel.name, reason: auth.reason }, 'webhook push refused: authentication');
      throw this.refuse(401, { reason: auth.reason, message: `authentication failed: ${auth.reason.replace(/_/g, ' ')}` });
    }
    let claimed: string | null = null;
    if (auth.replayKey && settings.auth.kind === 'hmac') {
      let fresh: boolean;
      try {
        fresh = await this.replays.claim(channel.id, auth.replayKey, settings.auth.toleranceSeconds);
      } catch (err) {
        // Without the replay check a captured request could be replayed: refuse, the source retries later.
        this.logger.error({ err, channel: channel.name }, 'webhook replay check unavailable');
        throw this.refuse(503, { message: 'temporarily unavailable; nothing was recorded, try again' });
      }
      if (!fresh) {
        this.logger.warn({ channel: channel.name }, 'webhook push refused: replayed signature');
        throw this.refuse(401, { reason: 'replayed', message: 'authentication failed: this signed request was already received' });
      }
      claimed = auth.replayKey;
    }

    try {
      return await this.mapAndRecord(channel, settings, body, contentType);
    } catch (err) {
      // Nothing (or not everything) was recorded: the source's retry of this very request must be let in.
      if (claimed) await this.replays.release(channel.id, claimed).catch(() => undefined);
      throw err;
    }
  }

  private async mapAndRecord(channel: ActiveChannel, settings: WebhookSettings, body: Buffer, contentType: string | undefined): Promise<WebhookAccepted> {
    const decoded = decodeWebhookBody(body, charsetOf(contentType));
    if (!decoded.ok) throw this.refuse(422, { reason: decoded.reason, message: decoded.detail, items: 0, submissions: [], errors: [{ index: null, field: 'body', message: decoded.detail }] });
    const mapped = mapWebhookPayload(decoded.payload, settings);
    const batch = Boolean(settings.mapping.items);
    if (mapped.submissions.length === 0 && mapped.errors.length > 0) {
      throw this.refuse(422, { reason: 'unmappable', message: 'nothing in the payload could be mapped; nothing was recorded', items: mapped.itemCount, submissions: [], errors: mapped.errors });
    }

    const submissions: AcceptedItem[] = [];
    const errors = [...mapped.errors];
    try {
      // A batch keeps its whole body once, beside each item's own JSON.
      const batchBlobKey = batch && mapped.submissions.length ? await this.blobs.put(body) : null;
      const results = await Promise.allSettled(
        mapped.submissions.map((submission, i) => {
          if (batch) submission.extra = { ...submission.extra, webhook: { batchBlobKey, item: mapped.origins[i].index, of: mapped.itemCount } };
          return this.recorder.record({
            channelId: channel.id,
            submission,
            raw: rawOfItem(mapped, i, body, batch),
            rawContentType: batch ? 'application/json' : (contentType ?? 'application/json'),
          });
        }),
      );
      let failure: unknown = null;
      results.forEach((r, i) => {
        const index = mapped.origins[i].index;
        if (r.status === 'fulfilled') {
          submissions.push({ index, id: r.value.id, ref: r.value.submission.ref, status: r.value.status, duplicate: !r.value.created, statusUrl: `/v1/submissions/${r.value.id}` });
        } else if (r.reason instanceof SubmissionValidationError) {
          errors.push(...r.reason.issues.map((issue) => ({ index, field: issue.path || '(submission)', message: issue.message })));
        } else failure = r.reason;
      });
      if (failure) throw failure;
    } catch (err) {
      // Items already recorded stay recorded; the source's retry finds them as duplicates.
      this.logger.error({ err, channel: channel.name }, 'webhook push not recorded');
      throw this.refuse(503, { message: 'the inbox is unavailable; the push was not fully recorded, try again' });
    }

    errors.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
    if (submissions.length === 0 && mapped.itemCount > 0) {
      throw this.refuse(422, { reason: 'unmappable', message: 'nothing in the payload could be recorded', items: mapped.itemCount, submissions: [], errors });
    }
    const duplicates = submissions.filter((s) => s.duplicate).length;
    this.metrics.received.inc({ channel: 'webhook', outcome: 'recorded' }, submissions.length - duplicates);
    if (duplicates) this.metrics.received.inc({ channel: 'webhook', outcome: 'duplicate' }, duplicates);
    const refusedItems = droppedItems(mapped).filter((d) => d.index !== null).length;
    if (refusedItems) this.metrics.received.inc({ channel: 'webhook', outcome: 'refused' }, refusedItems);
    this.logger.info({ channel: channel.name, items: mapped.itemCount, recorded: submissions.length - duplicates, duplicates, errors: errors.length }, 'webhook push recorded');
    return { channel: channel.name, items: mapped.itemCount, recorded: submissions.length - duplicates, duplicates, submissions, errors };
  }

  /**
   * What a sample payload would become under the channel's saved settings, or under settings being tried:
   * the submissions as they would be stored (validated with the submission schema), per-field errors, and
   * warnings (missing secret, another webhook channel using the same ref prefix). Records nothing.
   */
  async dryRun(idOrName: string, input: unknown) {
    const request = DryRunRequest.safeParse(input ?? {});
    if (!request.success) throw new WebhookRefusal(400, { message: 'invalid dry run', fields: request.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
    const channel = await this.channels.findByIdOrName(idOrName);
    if (!channel) throw new WebhookRefusal(404, { message: `no channel ${idOrName}` });
    if (channel.type !== 'webhook') throw new WebhookRefusal(400, { message: `channel ${channel.name} is a ${channel.type} channel; dry runs map webhook payloads` });

    const settingsInput = request.data.settings ?? channel.settings;
    const checked = WebhookChannelSettingsSchema.safeParse(settingsInput);
    if (!checked.success) {
      throw new WebhookRefusal(400, { message: 'invalid channel settings', fields: checked.error.issues.map((i) => ({ field: `settings.${i.path.join('.')}`, message: i.message })) });
    }
    let payload = request.data.payload;
    if (request.data.body !== undefined) {
      const decoded = decodeWebhookBody(Buffer.from(request.data.body, 'utf8'));
      if (!decoded.ok) throw new WebhookRefusal(400, { message: decoded.detail, fields: [{ field: 'body', message: decoded.detail }] });
      payload = decoded.payload;
    }

    const mapped = mapWebhookPayload(payload, checked.data);
    const keys = mapped.submissions.map((s) => sourceKeyOf('webhook', s.ref));
    const existing = new Map<string, string>();
    if (keys.length) {
      const rows: { id: string; source_key: string }[] = await this.ds.query('SELECT id, source_key FROM submissions WHERE source_key = ANY($1)', [keys]);
      for (const row of rows) existing.set(row.source_key, row.id);
    }
    return {
      channel: channel.name,
      settings: request.data.settings ? 'proposed' : 'saved',
      items: mapped.itemCount,
      submissions: mapped.submissions.map((s, i) => ({
        index: mapped.origins[i].index,
        sourceKey: keys[i],
        /** Set when this record is already in the inbox: recording it again would be a redelivery. */
        existingId: existing.get(keys[i]) ?? null,
        submission: parseSubmission(s),
      })),
      errors: mapped.errors,
      dropped: droppedItems(mapped),
      warnings: [...webhookCredentialIssues(settingsInput, channel.credentials).map((i) => ({ field: i.path, message: i.message })), ...(await this.prefixWarnings(channel.id, checked.data))],
    };
  }

  /** Another webhook channel whose refs start with the same prefix shares its source keys: a record of one is a duplicate of the other's. */
  private async prefixWarnings(channelId: string, settings: { mapping: { fields: { ref: unknown } } }) {
    const prefix = refPrefixOf(settings.mapping.fields.ref);
    if (!prefix) return [];
    const others = (await this.channels.list()).filter((c) => c.type === 'webhook' && c.id !== channelId);
    const clashing = others.filter((c) => {
      const ref = (c.settings as { mapping?: { fields?: { ref?: unknown } } })?.mapping?.fields?.ref;
      const theirs = refPrefixOf(ref);
      return theirs !== null && (theirs.startsWith(prefix) || prefix.startsWith(theirs));
    });
    return clashing.map((c) => ({
      field: 'settings.mapping.fields.ref',
      message: `channel ${c.name} uses the ref prefix "${refPrefixOf((c.settings as { mapping: { fields: { ref: unknown } } }).mapping.fields.ref)}": its records and these share source keys, so the same id from both is one submission`,
    }));
  }

  private async activeChannel(name: string): Promise<ActiveChannel> {
    const cached = this.cache.get(name);
    if (cached && Date.now() - cached.at < CHANNEL_CACHE_MS) return cached;
    let found;
    try {
      found = await this.channels.findByIdOrName(name);
    } catch (err) {
      this.logger.error({ err }, 'channel lookup failed');
      throw this.refuse(503, { message: 'temporarily unavailable; nothing was recorded, try again' });
    }
    if (!found || found.type !== 'webhook') throw this.refuse(404, { message: `no webhook channel named ${name}` });
    let settings: WebhookSettings | null = null;
    let problems: ActiveChannel['problems'] = [];
    try {
      settings = webhookSettingsOf(found.settings, found.credentials);
    } catch (err) {
      if (!(err instanceof WebhookSettingsError)) throw err;
      problems = err.issues;
    }
    const entry: ActiveChannel = { id: found.id, name: found.name, enabled: found.enabled, settings, problems, at: Date.now() };
    if (this.cache.size >= CHANNEL_CACHE_MAX) this.cache.clear();
    this.cache.set(name, entry);
    return entry;
  }

  private refuse(status: WebhookRefusal['status'], body: Record<string, unknown>): WebhookRefusal {
    if (status !== 503) this.metrics.received.inc({ channel: 'webhook', outcome: 'refused' });
    return new WebhookRefusal(status, body);
  }
}

function charsetOf(contentType: string | undefined): string | null {
  return /charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '')?.[2] ?? null;
}
