import { createHash } from 'node:crypto';
import { SUBMISSION_SCHEMA_VERSION, type Attachment, type SubmissionInput } from '@huiliu/contracts';
import type { AdapterRecord, AttachmentContent } from '../adapter.types';

/**
 * The public complaint form (form version 2.x) as it posts JSON. Liberal in what it accepts: unknown
 * fields are ignored, broken optional fields are repaired and flagged. It refuses only when the
 * complaint text itself is missing or undecodable.
 */
export interface WebFormOptions {
  /** The Idempotency-Key header, which wins over the body's client_token. */
  idempotencyKey?: string | null;
  /** Used as the natural id when neither key is present (the CLI passes the file name). */
  fallbackRef?: string | null;
  maxAttachmentBytes: number;
  allowedAttachmentTypes?: RegExp;
}

const DEFAULT_ALLOWED_TYPES = /^(image\/(jpeg|png|gif|webp|heic|heif|bmp)|application\/pdf|video\/(mp4|quicktime)|audio\/(mpeg|amr|aac|mp4|wav))$/i;
const REPLACEMENT = '\uFFFD';

export function parseWebForm(body: Buffer, opts: WebFormOptions): AdapterRecord {
  const flags: string[] = [];
  const strict = decodeStrict(body);
  const text = strict ?? new TextDecoder('utf-8', { fatal: false }).decode(body);
  if (strict === null) flags.push('repaired_utf8');

  let form: unknown;
  try {
    form = JSON.parse(text);
  } catch (err) {
    return refuse(opts, 'not_json', `body is not JSON: ${(err as Error).message}`, [{ field: 'body', message: 'must be a JSON object' }]);
  }
  if (!form || typeof form !== 'object' || Array.isArray(form)) {
    return refuse(opts, 'not_json', 'body is not a JSON object', [{ field: 'body', message: 'must be a JSON object' }]);
  }
  const f = form as Record<string, unknown>;

  const ref = pickRef(opts, f, body);
  const content = typeof f.content === 'string' ? f.content : typeof f.content === 'number' ? String(f.content) : null;
  if (content === null || content.trim() === '') {
    return refuse(opts, 'missing_content', 'the complaint text (content) is missing or blank', [{ field: 'content', message: 'required: the complaint text' }], ref);
  }
  if (strict === null && content.includes(REPLACEMENT)) {
    return refuse(opts, 'undecodable_content', 'the complaint text is not valid UTF-8', [{ field: 'content', message: 'not valid UTF-8 text' }], ref);
  }

  const repaired = (field: string, value: unknown): string | null => {
    if (value === undefined || value === null) return null;
    const s = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
    if (s === null) {
      flags.push(`ignored_${field}`);
      return null;
    }
    const well = s.toWellFormed();
    if (well !== s) flags.push(`lone_surrogate_${field}`);
    if (strict === null && well.includes(REPLACEMENT)) flags.push(`repaired_utf8_${field}`);
    const trimmed = well.trim();
    return trimmed === '' ? null : trimmed;
  };

  const contentWell = content.toWellFormed();
  if (contentWell !== content) flags.push('lone_surrogate_content');
  const { text: complaintText, scriptRemoved } = removeScripts(contentWell.trim());
  if (scriptRemoved) flags.push('script_removed');

  const lat = coordinate(f.lat, -90, 90);
  const lng = coordinate(f.lng, -180, 180);
  if ((f.lat != null && lat === null) || (f.lng != null && lng === null)) flags.push('invalid_coordinates');

  const districtCode = districtCodeOf(f.district_code);
  if (f.district_code != null && f.district_code !== '' && districtCode === null) flags.push('invalid_district_code');

  const submittedAt = isoOrNull(f.submitted_at);
  if (f.submitted_at != null && submittedAt === null) flags.push('invalid_submitted_at');

  const version = typeof f.form_version === 'string' || typeof f.form_version === 'number' ? String(f.form_version) : null;
  if (version !== null && !/^2(\.|$)/.test(version)) flags.push('unknown_form_version');

  const { attachments, contents } = attachmentsOf(f.attachments, opts, flags);
  const title = repaired('title', f.title);
  const titleClean = title ? removeScripts(title).text || null : null;

  const submission: SubmissionInput = {
    schemaVersion: SUBMISSION_SCHEMA_VERSION,
    channelType: 'web',
    ref,
    title: titleClean,
    text: complaintText,
    declaredCategory: repaired('pollution_type', f.pollution_type),
    submittedAt,
    complainant: {
      name: repaired('contact_name', f.contact_name),
      phone: repaired('contact_phone', f.contact_phone),
      email: repaired('contact_email', f.contact_email),
      anonymous: truthy(f.anonymous),
    },
    location: {
      address: repaired('address', f.address),
      districtCode,
      lat: lat !== null && lng !== null ? lat : null,
      lng: lat !== null && lng !== null ? lng : null,
    },
    attachments,
    flags: [...new Set(flags)],
    rejectHint: complaintText === '' ? 'script_injection' : null,
    extra: version ? { formVersion: version } : {},
  };
  return { ok: true, submission, raw: body, attachments: contents };
}

function refuse(opts: WebFormOptions, reason: string, detail: string, fields: { field: string; message: string }[], ref?: string): AdapterRecord {
  return { ok: false, ref: ref ?? opts.idempotencyKey ?? opts.fallbackRef ?? null, reason, detail, fields };
}

function decodeStrict(body: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return null;
  }
}

function pickRef(opts: WebFormOptions, f: Record<string, unknown>, body: Buffer): string {
  const header = opts.idempotencyKey?.trim();
  if (header) return header.slice(0, 512);
  if (typeof f.client_token === 'string' && f.client_token.trim()) return f.client_token.trim().toWellFormed().slice(0, 512);
  if (opts.fallbackRef) return opts.fallbackRef;
  // No key at all: identical bodies are still one submission.
  return `body-sha256-${createHash('sha256').update(body).digest('hex')}`;
}

function removeScripts(s: string): { text: string; scriptRemoved: boolean } {
  const stripped = s.replace(/<script\b[^>]*>[\s\S]*?(<\/script\s*>|$)/gi, '').replace(/<\/?script\b[^>]*>/gi, '');
  return { text: stripped.trim(), scriptRemoved: stripped !== s };
}

function coordinate(v: unknown, min: number, max: number): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : NaN;
  return Number.isFinite(n) && n >= min && n <= max ? n : null;
}

function districtCodeOf(v: unknown): string | null {
  const s = typeof v === 'number' ? String(Math.trunc(v)) : typeof v === 'string' ? v.trim() : '';
  return /^\d{6}$/.test(s) ? s : /^\d{9,12}$/.test(s) ? s.slice(0, 6) : null;
}

function isoOrNull(v: unknown): string | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const d = new Date(typeof v === 'number' && v < 1e12 ? v * 1000 : v);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString();
}

function truthy(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && /^(true|1|yes|是)$/i.test(v.trim()));
}

function attachmentsOf(v: unknown, opts: WebFormOptions, flags: string[]): { attachments: Attachment[]; contents: AttachmentContent[] } {
  const attachments: Attachment[] = [];
  const contents: AttachmentContent[] = [];
  if (!Array.isArray(v)) return { attachments, contents };
  const allowed = opts.allowedAttachmentTypes ?? DEFAULT_ALLOWED_TYPES;
  for (const item of v.slice(0, 20)) {
    if (!item || typeof item !== 'object') continue;
    const a = item as Record<string, unknown>;
    const filename = typeof a.filename === 'string' ? a.filename.toWellFormed().slice(0, 255) : null;
    const contentType = typeof a.content_type === 'string' ? a.content_type.trim().toLowerCase() : 'application/octet-stream';
    const data = typeof a.data_base64 === 'string' ? a.data_base64 : null;
    const declared = typeof a.size === 'number' ? a.size : 0;
    const base: Attachment = { filename, contentType, size: declared, blobKey: null, sha256: null, refused: null, sourceRef: null };
    if (!allowed.test(contentType)) {
      attachments.push({ ...base, refused: 'type_not_allowed' });
      flags.push('attachment_refused');
      continue;
    }
    if (data === null || !/^[A-Za-z0-9+/=\s_-]*$/.test(data)) {
      attachments.push({ ...base, refused: 'undecodable' });
      flags.push('attachment_refused');
      continue;
    }
    // Estimate before decoding so an oversized attachment never costs its decoded size in memory.
    if (Math.floor((data.length * 3) / 4) > opts.maxAttachmentBytes + 3) {
      attachments.push({ ...base, refused: 'too_large' });
      flags.push('attachment_refused');
      continue;
    }
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length > opts.maxAttachmentBytes) {
      attachments.push({ ...base, size: bytes.length, refused: 'too_large' });
      flags.push('attachment_refused');
      continue;
    }
    contents.push({ index: attachments.length, content: bytes });
    attachments.push({ ...base, size: bytes.length });
  }
  return { attachments, contents };
}
