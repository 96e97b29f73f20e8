import { Body, Controller, HttpException, Inject, NotFoundException, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { SubmissionValidationError, type ChannelType } from '@huiliu/contracts';
import { InboxUnavailableError, LOGGER, REGISTRATION_TYPES, RegistrationInvalidError, RegistrationService, type RegistrationType } from '@huiliu/intake';
import type { Logger } from '@huiliu/platform';
import { ChannelRepository } from '@huiliu/store';
import { AdminGuard } from '../admin/admin.guard';

/**
 * Staff register one letter, visit or transfer at a time. Answers 201 with the submission id and the
 * natural id (the registration number given, or the generated one); a repeated registration answers 200
 * with the same id.
 */
@Controller('v1/channels/:type/registrations')
@UseGuards(AdminGuard)
export class RegistrationsController {
  constructor(
    @Inject(RegistrationService) private readonly registrations: RegistrationService,
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post()
  async register(@Param('type') type: string, @Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response, @Query('channel') channelName?: string) {
    if (!(REGISTRATION_TYPES as readonly string[]).includes(type)) throw new NotFoundException(`registrations are for ${REGISTRATION_TYPES.join(', ')}, not ${type}`);
    const channel = channelName ? await this.channels.findByIdOrName(channelName) : await this.channels.defaultFor(type as ChannelType);
    if (!channel || channel.type !== (type as RegistrationType)) throw new NotFoundException(`no ${type} channel named ${channelName}`);
    if (!channel.enabled) throw new HttpException({ statusCode: 403, message: `channel ${channel.name} is disabled` }, 403);
    const key = req.headers['idempotency-key'];
    try {
      const outcome = await this.registrations.register(channel, body, { idempotencyKey: Array.isArray(key) ? key[0] : (key ?? null) });
      res.status(outcome.duplicate ? 200 : 201);
      return { ...outcome, channel: channel.name, statusUrl: `/v1/submissions/${outcome.id}` };
    } catch (err) {
      if (err instanceof RegistrationInvalidError) throw new HttpException({ statusCode: 422, error: 'Unprocessable Entity', message: err.message, fields: err.fields }, 422);
      if (err instanceof SubmissionValidationError) {
        throw new HttpException({ statusCode: 422, error: 'Unprocessable Entity', message: err.message, fields: err.issues.map((i) => ({ field: i.path, message: i.message })) }, 422);
      }
      this.logger.error({ err, channel: channel.name }, 'registration not recorded');
      throw new HttpException({ statusCode: 503, message: err instanceof InboxUnavailableError ? 'the inbox is unavailable; nothing was recorded, try again' : 'temporarily unavailable; nothing was recorded' }, 503);
    }
  }
}
