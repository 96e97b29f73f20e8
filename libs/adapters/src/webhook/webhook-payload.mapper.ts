import { SUBMISSION_SCHEMA_VERSION, SubmissionSchema, type SubmissionInput } from '@huiliu/contracts';
import { compilePath, selectAll, selectOne } from './webhook-path.util';
import { TEMPLATE_PLACEHOLDER, type FieldSource, type MappedField, type WebhookSettings } from './webhook-settings.schema';
import { applyTransforms, FieldValueError, toBoolean, toNumber } from './webhook-transform.util';

/** One problem found while mapping; `index` is the batch item (0 for a single payload), null for the payload itself. */
export interface WebhookMappingError {
  index: number | null;
  field: string;
  message: string;
}

export interface WebhookMappingResult {
  submissions: SubmissionInput[];
  errors: WebhookMappingError[];
  /** Parallel to `submissions`: the batch item each came from (index 0 and the payload itself for a single payload). */
  origins: { index: number; record: unknown }[];
  /** Records the payload held: the batch's length, or 1. */
  itemCount: number;
}

type FieldKind = 'text' | 'number' | 'boolean' | 'datetime';

const KIND_OF: Record<MappedField, FieldKind> = {
  ref: 'text',
  text: 'text',
  title: 'text',
  subject: 'text',
  declaredCategory: 'text',
  submittedAt: 'datetime',
  address: 'text',
  districtCode: 'text',
  region: 'text',
  lat: 'number',
  lng: 'number',
  label: 'text',
  'complainant.name': 'text',
  'complainant.phone': 'text',
  'complainant.email': 'text',
  'complainant.anonymous': 'boolean',
};

const submittedAtSchema = SubmissionSchema.shape.submittedAt;

/**
 * Turns a source's JSON payload into submissions according to the channel's mapping. Used by the live
 * endpoint and by the dry run alike, so what an operator previews is what will be stored.
 * An item whose ref cannot be read is left out (it could not be deduplicated); any other field that cannot
 * be read is left empty, reported in `errors` and noted in the submission's flags.
 */
export function mapWebhookPayload(payload: unknown, settings: Pick<WebhookSettings, 'mapping' | 'maxItems'>): WebhookMappingResult {
  const { mapping } = settings;
  const errors: WebhookMappingError[] = [];
  let records: unknown[];
  if (mapping.items) {
    const container = selectOne(compilePath(mapping.items.replace(/\[\*\]$/, '')), payload, payload);
    if (!Array.isArray(container)) {
      return { submissions: [], errors: [{ index: null, field: 'items', message: `${mapping.items} does not select a list` }], origins: [], itemCount: 0 };
    }
    if (container.length > settings.maxItems) {
      return { submissions: [], errors: [{ index: null, field: 'items', message: `${container.length} items exceed the limit of ${settings.maxItems}` }], origins: [], itemCount: container.length };
    }
    records = container;
  } else {
    records = [payload];
  }

  const submissions: SubmissionInput[] = [];
  const origins: WebhookMappingResult['origins'] = [];
  records.forEach((record, index) => {
    const submission = mapRecord(record, payload, mapping, (field, message) => errors.push({ index, field, message }));
    if (submission) {
      submissions.push(submission);
      origins.push({ index, record });
    }
  });
  return { submissions, errors, origins, itemCount: records.length };
}

type Report = (field: string, message: string) => void;

function mapRecord(record: unknown, payload: unknown, mapping: WebhookSettings['mapping'], report: Report): SubmissionInput | null {
  const flags = new Set<string>();
  const values = {} as Record<MappedField, unknown>;
  for (const field of Object.keys(KIND_OF) as MappedField[]) {
    const source = mapping.fields[field];
    if (!source) {
      values[field] = null;
      continue;
    }
    try {
      // A ref built from a template must have every part: "batch-" for an item without its number would make
      // distinct items look like redeliveries of one another.
      values[field] = coerce(resolve(source, record, payload, field === 'ref'), KIND_OF[field], flags);
    } catch (error) {
      if (!(error instanceof FieldValueError)) throw error;
      report(field, error.message);
      flags.add(`mapping_error:${field}`);
      values[field] = null;
    }
  }

  const ref = typeof values.ref === 'string' ? values.ref.trim() : '';
  if (!ref) {
    if (!flags.has('mapping_error:ref')) report('ref', 'the source id (ref) is missing; the item is left out');
    return null;
  }
  if (ref.length > 512) {
    report('ref', 'the source id (ref) is longer than 512 characters; the item is left out');
    return null;
  }

  let lat = values.lat as number | null;
  let lng = values.lng as number | null;
  if (lat !== null && (lat < -90 || lat > 90)) {
    report('lat', `${lat} is outside -90..90`);
    lat = null;
  }
  if (lng !== null && (lng < -180 || lng > 180)) {
    report('lng', `${lng} is outside -180..180`);
    lng = null;
  }
  if ((lat === null) !== (lng === null)) {
    // One coordinate alone locates nothing and would mislead the locate stage.
    report(lat === null ? 'lng' : 'lat', 'latitude and longitude must both be present; the one given is dropped');
    lat = lng = null;
  }

  const submission: SubmissionInput = {
    schemaVersion: SUBMISSION_SCHEMA_VERSION,
    channelType: 'webhook',
    ref,
    title: values.title as string | null,
    text: (values.text as string | null) ?? '',
    subject: values.subject as string | null,
    declaredCategory: values.declaredCategory as string | null,
    submittedAt: values.submittedAt as string | null,
    complainant: {
      name: values['complainant.name'] as string | null,
      phone: values['complainant.phone'] as string | null,
      email: values['complainant.email'] as string | null,
      idNumber: null,
      handle: null,
      anonymous: (values['complainant.anonymous'] as boolean | null) ?? false,
    },
    location: {
      address: values.address as string | null,
      districtCode: values.districtCode as string | null,
      region: values.region as string | null,
      lat,
      lng,
      label: values.label as string | null,
    },
    attachments: mapping.attachments ? mapAttachments(record, payload, mapping.attachments, report, flags) : [],
    flags: [...flags],
  };

  // Last guard: whatever passes here is what the inbox will accept.
  const checked = SubmissionSchema.safeParse(submission);
  if (!checked.success) {
    for (const issue of checked.error.issues) report(issue.path.join('.'), issue.message);
    return null;
  }
  return submission;
}

function mapAttachments(
  record: unknown,
  payload: unknown,
  spec: NonNullable<WebhookSettings['mapping']['attachments']>,
  report: Report,
  flags: Set<string>,
): NonNullable<SubmissionInput['attachments']> {
  const files = selectAll(compilePath(spec.items), record, payload);
  const attachments: NonNullable<SubmissionInput['attachments']> = [];
  files.forEach((file, i) => {
    const field = (name: string) => `attachments[${i}].${name}`;
    const read = (source: FieldSource | undefined, kind: FieldKind, name: string): unknown => {
      if (!source) return null;
      try {
        return coerce(resolve(source, file, payload), kind, flags);
      } catch (error) {
        if (!(error instanceof FieldValueError)) throw error;
        report(field(name), error.message);
        return null;
      }
    };
    const url = read(spec.url, 'text', 'url') as string | null;
    if (!url) {
      report(field('url'), 'no url; the attachment is left out');
      flags.add('mapping_error:attachments');
      return;
    }
    const size = read(spec.size, 'number', 'size') as number | null;
    attachments.push({
      filename: read(spec.filename, 'text', 'filename') as string | null,
      contentType: (read(spec.contentType, 'text', 'contentType') as string | null) ?? 'application/octet-stream',
      // Unknown until the bytes are fetched; 0 with sourceRef set and blobKey null means "still to fetch".
      size: size !== null && Number.isInteger(size) && size >= 0 ? size : 0,
      blobKey: null,
      sha256: null,
      refused: null,
      sourceRef: url,
    });
  });
  return attachments;
}

/** The raw value of a field source, after its transforms. */
function resolve(source: FieldSource, record: unknown, payload: unknown, everyPart = false): unknown {
  if ('const' in source) return source.const;
  if ('path' in source) return applyTransforms(selectOne(compilePath(source.path), record, payload) ?? null, source.transforms);
  let found = 0;
  const text = source.template.replace(TEMPLATE_PLACEHOLDER, (_whole, path: string) => {
    const value = selectOne(compilePath(path), record, payload);
    if (value === null || value === undefined || value === '') {
      if (everyPart) throw new FieldValueError(`${path} is missing`);
      return '';
    }
    if (typeof value === 'object') throw new FieldValueError(`${path} is a list or object, not text`);
    found++;
    return String(value);
  });
  // A template none of whose parts exist is absent, not a string of separators.
  return applyTransforms(found === 0 ? null : text, source.transforms);
}

function coerce(value: unknown, kind: FieldKind, flags: Set<string>): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'text': {
      if (typeof value === 'string') return value === '' ? null : value;
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new FieldValueError('not a finite number');
        // JSON numbers beyond 2^53 have already lost digits: an id sent that way is not the source's id.
        if (Number.isInteger(value) && !Number.isSafeInteger(value)) flags.add('precision_loss');
        return String(value);
      }
      if (typeof value === 'boolean') return String(value);
      throw new FieldValueError('expected text, got a list or object');
    }
    case 'number':
      return toNumber(value);
    case 'boolean':
      return toBoolean(value);
    case 'datetime': {
      if (typeof value !== 'string' || !submittedAtSchema.safeParse(value).success) {
        throw new FieldValueError(`"${String(value).slice(0, 40)}" is not an ISO 8601 date-time with offset; add a date transform`);
      }
      return value;
    }
  }
}
