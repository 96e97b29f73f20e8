import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { AdapterRecord, ChannelAdapter, FileIngestContext } from '../adapter.types';
import { parseWebForm } from './web-form.parser';

export const WebChannelSettings = z.object({}).passthrough();

/** The public web form: HTTP push in the gateway; JSON files (one body each) through the CLI. */
export class WebAdapter implements ChannelAdapter {
  readonly type = 'web' as const;
  readonly mode = 'push' as const;
  readonly settingsSchema = WebChannelSettings;

  async *readFiles(paths: string[], ctx: FileIngestContext): AsyncIterable<AdapterRecord> {
    for (const file of paths) {
      const name = path.basename(file);
      const stat = await fs.stat(file);
      if (stat.size > ctx.maxRecordBytes) {
        yield { ok: false, ref: name, reason: 'oversized_payload', detail: `${stat.size} bytes is over the ${ctx.maxRecordBytes}-byte body limit` };
        continue;
      }
      const body = await fs.readFile(file);
      yield parseWebForm(body, { fallbackRef: name.replace(/\.json$/i, ''), maxAttachmentBytes: ctx.maxAttachmentBytes });
    }
  }
}
