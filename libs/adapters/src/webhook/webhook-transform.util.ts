import { toIsoDate } from './webhook-date.util';
import type { WebhookTransform } from './webhook-settings.schema';

/** A value that cannot become what a field needs; the message is shown to the operator in a dry run. */
export class FieldValueError extends Error {
  override readonly name = 'FieldValueError';
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on', '是', '匿名']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'off', '否', '', '实名']);
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Applies an operator's transforms in order. Absent values (null) pass through untouched. */
export function applyTransforms(value: unknown, transforms: readonly WebhookTransform[]): unknown {
  let current = value;
  for (const transform of transforms) {
    if (current === null || current === undefined) return null;
    current = applyOne(current, transform);
  }
  return current;
}

function applyOne(value: unknown, transform: WebhookTransform): unknown {
  switch (transform.op) {
    case 'trim':
      return typeof value === 'string' ? value.trim() : value;
    case 'number':
      return toNumber(value);
    case 'boolean':
      return toBoolean(value);
    case 'date':
      try {
        return toIsoDate(value, transform.format, transform.zone);
      } catch (error) {
        throw new FieldValueError((error as Error).message);
      }
    case 'map': {
      if (typeof value === 'object') throw new FieldValueError('a code table maps single values, not lists or objects');
      const key = String(value).trim();
      if (Object.prototype.hasOwnProperty.call(transform.table, key)) return transform.table[key];
      if (transform.otherwise === 'null') return null;
      if (transform.otherwise === 'error') throw new FieldValueError(`"${key.slice(0, 40)}" is not in the code table`);
      return value;
    }
  }
}

export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new FieldValueError('not a finite number');
    return value;
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return null;
    if (NUMBER_TEXT.test(text)) return Number(text);
  }
  throw new FieldValueError(`"${String(value).slice(0, 40)}" is not a number`);
}

export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  throw new FieldValueError(`"${String(value).slice(0, 40)}" is not a yes/no value`);
}
