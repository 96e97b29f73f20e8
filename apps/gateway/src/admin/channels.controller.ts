import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { AdapterRegistry } from '@huiliu/adapters';
import { ChannelDefinition, checkChannelSettings } from '@huiliu/intake';
import { ChannelStateStore, CONFIG, REDIS } from '@huiliu/intake';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { AppConfig } from '@huiliu/platform';
import { ChannelNameTakenError, ChannelRepository, type ChannelEntity } from '@huiliu/store';
import { AdminGuard } from './admin.guard';

const ChannelPatch = ChannelDefinition.omit({ type: true })
  .extend({ credentials: z.record(z.string(), z.unknown().nullable()) })
  .partial();

function invalid(message: string, issues: z.core.$ZodIssue[]): BadRequestException {
  return new BadRequestException({ message, fields: issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
}

/** A JSON merge patch of write-only credentials: a key sent replaces, a key sent as null goes. */
function mergeCredentials(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

/** Credentials are write-only: the API shows which keys are set, never their values. */
function channelView(c: ChannelEntity) {
  return {
    id: c.id,
    type: c.type,
    name: c.name,
    enabled: c.enabled,
    isDefault: c.isDefault,
    homeDivision: c.homeDivision,
    settings: c.settings,
    credentials: Object.fromEntries(Object.keys(c.credentials ?? {}).map((k) => [k, '***'])),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

@Controller('v1/admin/channels')
@UseGuards(AdminGuard)
export class ChannelsController {
  constructor(
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(AdapterRegistry) private readonly registry: AdapterRegistry,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async list() {
    return (await this.channels.list()).map(channelView);
  }

  @Get(':id')
  async show(@Param('id') id: string) {
    const c = await this.find(id);
    return { ...channelView(c), ...(await this.runState(c.id)) };
  }

  /** A pull channel's state as its runner last reported it (null for channels no runner reports on). */
  private async runState(channelId: string) {
    const v = await new ChannelStateStore(this.redis, this.config.QUEUE_PREFIX, this.config.CHANNEL_STATE_HEARTBEAT_MS).get(channelId).catch(() => null);
    return { state: v?.state ?? null, stateDetail: v?.detail ?? null, stateSince: v?.since ?? null, stateStale: v?.stale ?? null };
  }

  @Post()
  async create(@Body() body: unknown) {
    const def = this.checked(body ?? {}, { settings: true });
    try {
      return channelView(await this.channels.create(def));
    } catch (err) {
      if (err instanceof ChannelNameTakenError) throw new ConflictException(err.message);
      throw err;
    }
  }

  /**
   * Changes the fields sent and keeps the others. The channel the change leaves is checked as a new one
   * would be, so a PATCH cannot save what a POST would refuse (an HMAC source without its secret, a mapping
   * that does not compile). Credentials merge key by key (`null` removes one): they are write-only, so an
   * operator adding one secret cannot be asked to send again the ones the API never shows.
   */
  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    const current = await this.find(id);
    const parsed = ChannelPatch.safeParse(body ?? {});
    if (!parsed.success) throw invalid('invalid channel', parsed.error.issues);
    const sent = new Set(Object.keys((body as Record<string, unknown>) ?? {}));
    if (sent.has('type') && (body as { type?: unknown }).type !== current.type) {
      throw new BadRequestException({ message: 'invalid channel', fields: [{ field: 'type', message: `a channel's type cannot change (this one is ${current.type}); create another channel` }] });
    }
    // Only fields the caller sent change; zod defaults must not reset the others.
    const patch = Object.fromEntries(Object.entries(parsed.data).filter(([k]) => sent.has(k))) as z.infer<typeof ChannelPatch>;
    const credentials = patch.credentials ? mergeCredentials(current.credentials ?? {}, patch.credentials) : current.credentials ?? {};
    const next = this.checked(
      {
        type: current.type,
        name: patch.name ?? current.name,
        settings: patch.settings ?? current.settings ?? {},
        credentials,
        enabled: patch.enabled ?? current.enabled,
        homeDivision: 'homeDivision' in patch ? patch.homeDivision : current.homeDivision,
        isDefault: patch.isDefault ?? current.isDefault,
      },
      // A rename or a new home division leaves settings and credentials as they were: a channel created on
      // first use (a replayed bot without a token) stays editable.
      { settings: sent.has('settings') || sent.has('credentials') },
    );
    const changes = { ...patch, ...(patch.credentials ? { credentials: next.credentials } : {}) };
    try {
      return channelView((await this.channels.update(current.id, changes))!);
    } catch (err) {
      if (err instanceof ChannelNameTakenError) throw new ConflictException(err.message);
      throw err;
    }
  }

  /** The one check of a channel definition, for a new channel and for what an update would leave. */
  private checked(input: unknown, check: { settings: boolean }): ChannelDefinition {
    const parsed = ChannelDefinition.safeParse(input);
    if (!parsed.success) throw invalid('invalid channel', parsed.error.issues);
    if (check.settings) {
      const problems = checkChannelSettings(this.registry, parsed.data);
      if (problems.length) throw new BadRequestException({ message: 'invalid channel settings', fields: problems });
    }
    return parsed.data;
  }

  @Post(':id/enable')
  @HttpCode(200)
  async enable(@Param('id') id: string) {
    return channelView((await this.channels.update((await this.find(id)).id, { enabled: true }))!);
  }

  @Post(':id/disable')
  @HttpCode(200)
  async disable(@Param('id') id: string) {
    return channelView((await this.channels.update((await this.find(id)).id, { enabled: false }))!);
  }

  private async find(idOrName: string): Promise<ChannelEntity> {
    const c = await this.channels.findByIdOrName(idOrName);
    if (!c) throw new NotFoundException(`no channel ${idOrName}`);
    return c;
  }
}
