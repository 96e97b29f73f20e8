import { Controller, Get, HttpCode, HttpException, HttpStatus, Inject, NotFoundException, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest as Request } from 'fastify';
import { ProfileSelectionError } from '@huiliu/adapters';
import { isChannelType } from '@huiliu/contracts';
import { CONFIG, ImportQueue, ImportRefusedError, Importer, ImportTooLargeError, LOGGER } from '@huiliu/intake';
import type { AppConfig, Logger } from '@huiliu/platform';
import { ChannelRepository, ImportRepository } from '@huiliu/store';
import { AdminGuard } from '../admin/admin.guard';
import { importView } from './import.view';

/**
 * Uploads of export and register files. The body is streamed to the blob store (never held in memory);
 * the import itself runs as a job on the imports queue, and its progress and report are read here.
 */
@Controller('v1')
@UseGuards(AdminGuard)
export class ImportsController {
  constructor(
    @Inject(Importer) private readonly importer: Importer,
    @Inject(ImportQueue) private readonly queue: ImportQueue,
    @Inject(ImportRepository) private readonly imports: ImportRepository,
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('channels/:idOrName/imports')
  @HttpCode(HttpStatus.ACCEPTED)
  async upload(@Param('idOrName') idOrName: string, @Req() req: Request, @Query('filename') filenameParam?: string) {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > this.config.IMPORT_MAX_BYTES) throw tooLarge(this.config.IMPORT_MAX_BYTES);
    // A channel by id or name; a bare channel type means its default channel.
    const channel = (await this.channels.findByIdOrName(idOrName)) ?? (isChannelType(idOrName) ? await this.channels.defaultFor(idOrName) : null);
    if (!channel) throw new NotFoundException(`no channel ${idOrName}`);
    const fileName = fileNameOf(headerValue(req.headers['x-file-name']) ?? filenameParam ?? null, channel.type);
    const contentType = headerValue(req.headers['content-type']) || null;

    let imp;
    try {
      imp = await this.importer.store({ channel, fileName, contentType, body: req.raw, origin: 'api' });
    } catch (err) {
      if (err instanceof ImportTooLargeError) throw tooLarge(err.limit);
      if (err instanceof ImportRefusedError) throw new HttpException({ statusCode: 409, error: 'Conflict', message: err.message }, 409);
      if (err instanceof ProfileSelectionError) throw new HttpException({ statusCode: 409, error: 'Conflict', message: err.message }, 409);
      if (req.raw.aborted || (err as NodeJS.ErrnoException).code === 'ECONNRESET') throw new HttpException({ statusCode: 400, message: 'the upload was interrupted; nothing was imported' }, 400);
      this.logger.error({ err, channel: channel.name }, 'import upload not stored');
      throw new HttpException({ statusCode: 503, message: 'the file could not be stored; nothing was imported, try again' }, 503);
    }
    try {
      await this.queue.enqueue(imp.id);
    } catch (err) {
      this.logger.error({ err, importId: imp.id }, 'import not queued');
      await this.imports.finish(imp.id, 'failed', { rowsRead: 0, recorded: 0, duplicates: 0, rejected: 0 }, [], {}, 'not queued: the queue is unavailable').catch(() => undefined);
      throw new HttpException({ statusCode: 503, message: 'the import could not be queued; nothing was imported, try again' }, 503);
    }
    return { id: imp.id, status: imp.status, channel: channel.name, fileName, fileSize: Number(imp.fileSize), statusUrl: `/v1/imports/${imp.id}`, reportUrl: `/v1/imports/${imp.id}/report` };
  }

  @Get('imports/:id')
  async show(@Param('id') id: string) {
    const imp = await this.imports.findById(id);
    if (!imp) throw new NotFoundException(`no import ${id}`);
    return importView(imp);
  }

  @Get('imports/:id/report')
  async report(@Param('id') id: string) {
    const imp = await this.imports.findById(id);
    if (!imp) throw new NotFoundException(`no import ${id}`);
    return {
      importId: imp.id,
      status: imp.status,
      rejected: imp.rejected,
      /** Only the first IMPORT_REPORT_MAX rows are kept; the count is complete. */
      truncated: imp.rejected > imp.rejections.length,
      rows: imp.rejections,
    };
  }
}

function tooLarge(limit: number) {
  return new HttpException({ statusCode: 413, error: 'Payload Too Large', message: `file over the ${limit}-byte limit (IMPORT_MAX_BYTES); nothing was imported` }, 413);
}

function headerValue(v: string | string[] | undefined): string | null {
  if (Array.isArray(v)) return v[0] ?? null;
  return v ?? null;
}

/** The file name as given (percent-encoding allowed for non-ASCII names), without any directory part. */
function fileNameOf(given: string | null, type: string): string {
  let name = given ?? '';
  try {
    name = decodeURIComponent(name);
  } catch {
    // kept as given
  }
  name = name.replace(/^.*[\\/]/, '').replace(/[\u0000-\u001f]/g, '').trim().slice(0, 255);
  return name || `${type}-upload`;
}
