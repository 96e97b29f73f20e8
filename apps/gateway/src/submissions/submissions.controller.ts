import { Controller, Get, HttpCode, HttpException, HttpStatus, Inject, NotFoundException, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest as Request } from 'fastify';
import { parseWebForm } from '@huiliu/adapters';
import { SubmissionValidationError } from '@huiliu/contracts';
import { CONFIG, InboxRecorder, InboxUnavailableError, LOGGER } from '@huiliu/intake';
import type { AppConfig, Logger } from '@huiliu/platform';
import { ChannelRepository, SubmissionRepository } from '@huiliu/store';
import { isAdminRequest } from '../admin/admin.guard';
import { submissionView } from './submission.view';
import { SharedLookup } from '../http/shared-lookup';

/** The web channel: the public complaint form posts here. */
@Controller('v1/submissions')
export class SubmissionsController {
  /** Channel lookups are cached briefly: an admin's change (disable) takes effect within seconds, without a restart. */
  private readonly channelLookup = new SharedLookup<{ id: string; enabled: boolean }>(async (name) => {
    const c = name ? await this.channels.findByIdOrName(name) : await this.channels.defaultFor('web');
    if (!c || c.type !== 'web') throw new HttpException({ statusCode: 404, message: `no web channel named ${name}` }, 404);
    return { id: c.id, enabled: c.enabled };
  });

  constructor(
    @Inject(InboxRecorder) private readonly recorder: InboxRecorder,
    @Inject(SubmissionRepository) private readonly submissions: SubmissionRepository,
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async submit(@Req() req: Request, @Query('channel') channelName?: string) {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const parsed = parseWebForm(body, {
      idempotencyKey: headerValue(req.headers['idempotency-key']),
      maxAttachmentBytes: this.config.ATTACHMENT_MAX_BYTES,
    });
    if (!parsed.ok) {
      throw new HttpException({ statusCode: 422, error: 'Unprocessable Entity', reason: parsed.reason, message: parsed.detail, fields: parsed.fields ?? [] }, 422);
    }
    try {
      const channelId = await this.channelId(channelName);
      const outcome = await this.recorder.record({ channelId, submission: parsed.submission, raw: parsed.raw, rawContentType: 'application/json', attachments: parsed.attachments });
      return {
        id: outcome.id,
        status: outcome.status,
        duplicate: !outcome.created,
        statusUrl: `/v1/submissions/${outcome.id}`,
        flags: outcome.submission.flags,
      };
    } catch (err) {
      if (err instanceof SubmissionValidationError) {
        throw new HttpException({ statusCode: 422, error: 'Unprocessable Entity', message: err.message, fields: err.issues.map((i) => ({ field: i.path, message: i.message })) }, 422);
      }
      if (err instanceof HttpException) throw err;
      this.logger.error({ err }, 'submission not recorded');
      throw new HttpException({ statusCode: 503, error: 'Service Unavailable', message: err instanceof InboxUnavailableError ? 'the inbox is unavailable; nothing was recorded, try again' : 'temporarily unavailable; nothing was recorded' }, 503);
    }
  }

  @Get(':id')
  async show(@Param('id') id: string, @Req() req: Request) {
    const s = await this.submissions.findById(id);
    if (!s) throw new NotFoundException(`no submission ${id}`);
    return submissionView(s, { revealIdentity: isAdminRequest(req, this.config.ADMIN_TOKEN) });
  }

  private async channelId(name?: string): Promise<string> {
    const channel = await this.channelLookup.get(name ?? '');
    if (!channel.enabled) throw new HttpException({ statusCode: 403, message: `channel ${name ?? 'web-default'} is disabled` }, 403);
    return channel.id;
  }
}

function headerValue(v: string | string[] | undefined): string | null {
  if (Array.isArray(v)) return v[0] ?? null;
  return v ?? null;
}
