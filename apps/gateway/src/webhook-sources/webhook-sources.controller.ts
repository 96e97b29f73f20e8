import { Body, Controller, HttpCode, HttpException, HttpStatus, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest as Request } from 'fastify';
import { AdminGuard } from '../admin/admin.guard';
import { WebhookIntakeService, WebhookRefusal } from './webhook-intake.service';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 422: 'Unprocessable Entity', 503: 'Service Unavailable' };

function asHttp(err: unknown): unknown {
  if (err instanceof WebhookRefusal) return new HttpException({ statusCode: err.status, error: STATUS_TEXT[err.status], ...err.body }, err.status);
  return err;
}

/** No-code webhook sources post here; the body is read as raw bytes (the HMAC is over them, and they are the raw original). */
@Controller('v1/hooks')
export class WebhookSourcesController {
  constructor(@Inject(WebhookIntakeService) private readonly intake: WebhookIntakeService) {}

  @Post(':channelName')
  @HttpCode(HttpStatus.ACCEPTED)
  async push(@Param('channelName') channelName: string, @Req() req: Request) {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      return await this.intake.receive(channelName, req.headers, body, req.headers['content-type']);
    } catch (err) {
      throw asHttp(err);
    }
  }
}

/** Shows what a sample payload would become under a webhook channel's mapping; records nothing. */
@Controller('v1/admin/channels')
@UseGuards(AdminGuard)
export class WebhookDryRunController {
  constructor(@Inject(WebhookIntakeService) private readonly intake: WebhookIntakeService) {}

  @Post(':idOrName/dry-run')
  @HttpCode(HttpStatus.OK)
  async dryRun(@Param('idOrName') idOrName: string, @Body() body: unknown) {
    try {
      return await this.intake.dryRun(idOrName, body);
    } catch (err) {
      throw asHttp(err);
    }
  }
}
