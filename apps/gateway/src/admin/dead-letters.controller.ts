import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply as Response } from 'fastify';
import type { DataSource } from 'typeorm';
import { isChannelType } from '@huiliu/contracts';
import { BLOB_STORE, DATA_SOURCE } from '@huiliu/intake';
import type { FsBlobStore } from '@huiliu/platform';
import { DeadLetterRepository, isUuid, type DeadLetterRow } from '@huiliu/store';
import { AdminGuard } from './admin.guard';

function view(d: DeadLetterRow) {
  return {
    id: d.id,
    channelType: d.channelType,
    channelId: d.channelId,
    origin: d.origin,
    reason: d.reason,
    detail: d.detail,
    size: d.size,
    seenCount: d.seenCount,
    createdAt: d.createdAt,
    lastSeenAt: d.lastSeenAt,
    raw: `/v1/admin/dead-letters/${d.id}/raw`,
  };
}

/** Records no adapter could read (poison messages), kept with their raw bytes for a person to look at. */
@Controller('v1/admin/dead-letters')
@UseGuards(AdminGuard)
export class DeadLettersController {
  private readonly repo: DeadLetterRepository;

  constructor(
    @Inject(DATA_SOURCE) ds: DataSource,
    @Inject(BLOB_STORE) private readonly blobs: FsBlobStore,
  ) {
    this.repo = new DeadLetterRepository(ds);
  }

  @Get()
  async list(@Query('channelType') channelType?: string, @Query('channelId') channelId?: string, @Query('before') before?: string, @Query('limit') limit?: string) {
    if (channelType && !isChannelType(channelType)) throw new BadRequestException(`unknown channel type ${channelType}`);
    if (channelId && !isUuid(channelId)) throw new BadRequestException('channelId must be a uuid');
    const beforeDate = before ? new Date(before) : undefined;
    if (beforeDate && Number.isNaN(beforeDate.getTime())) throw new BadRequestException('before must be an ISO 8601 time');
    const n = limit ? Number(limit) : 100;
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new BadRequestException('limit must be 1..1000');
    const rows = await this.repo.list({ channelType: channelType as never, channelId, before: beforeDate, limit: n });
    return { items: rows.map(view), next: rows.length === n ? rows[rows.length - 1].createdAt.toISOString() : null };
  }

  @Get(':id')
  async show(@Param('id') id: string) {
    return view(await this.find(id));
  }

  /** The raw bytes as received (message/rfc822 for e-mail). */
  @Get(':id/raw')
  async raw(@Param('id') id: string, @Res() res: Response) {
    const d = await this.find(id);
    res.header('Content-Type', d.raw.contentType ?? 'application/octet-stream');
    res.header('Content-Disposition', `attachment; filename="dead-letter-${d.id}${d.channelType === 'email' ? '.eml' : ''}"`);
    return res.send(this.blobs.stream(d.raw));
  }

  private async find(id: string): Promise<DeadLetterRow> {
    const d = isUuid(id) ? await this.repo.get(id) : null;
    if (!d) throw new NotFoundException(`no dead letter ${id}`);
    return d;
  }
}
