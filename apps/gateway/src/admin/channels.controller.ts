import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { AdapterRegistry } from '@huiliu/adapters';
import { ChannelDefinition, checkChannelSettings } from '@huiliu/intake';
import { ChannelStateStore, CONFIG, REDIS } from '@huiliu/intake';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@huiliu/platform';
import { ChannelNameTakenError, ChannelRepository, type ChannelEntity } from '@huiliu/store';
import { AdminGuard } from './admin.guard';

const ChannelPatch = ChannelDefinition.omit({ type: true }).partial();

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
    const parsed = ChannelDefinition.safeParse(body ?? {});
    if (!parsed.success) throw new BadRequestException({ message: 'invalid channel', fields: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
    const problems = checkChannelSettings(this.registry, parsed.data);
    if (problems.length) throw new BadRequestException({ message: 'invalid channel settings', fields: problems });
    try {
      return channelView(await this.channels.create(parsed.data));
    } catch (err) {
      if (err instanceof ChannelNameTakenError) throw new ConflictException(err.message);
      throw err;
    }
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    const current = await this.find(id);
    const parsed = ChannelPatch.safeParse(body ?? {});
    if (!parsed.success) throw new BadRequestException({ message: 'invalid channel', fields: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
    // Only fields the caller sent change; zod defaults must not reset the others.
    const sent = Object.keys((body as Record<string, unknown>) ?? {});
    const patch = Object.fromEntries(Object.entries(parsed.data).filter(([k]) => sent.includes(k)));
    if ('settings' in patch) {
      const problems = checkChannelSettings(this.registry, { type: current.type, settings: patch.settings as Record<string, unknown> });
      if (problems.length) throw new BadRequestException({ message: 'invalid channel settings', fields: problems });
    }
    try {
      return channelView((await this.channels.update(current.id, patch))!);
    } catch (err) {
      if (err instanceof ChannelNameTakenError) throw new ConflictException(err.message);
      throw err;
    }
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
