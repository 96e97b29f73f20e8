import type { SubmissionInput } from '@huiliu/contracts';
import { letterIdentity, splitScanFiles } from '../register/letter-identity.util';
import { letterLocationAddress } from '../register/letter-location.util';
import { isFormulaLike } from '../tabular/spreadsheet-cell.util';
import type { TabularRecord } from '../tabular/tabular.types';
import { toHalfWidth } from '../tabular/width.util';
import type { ColumnBinding } from './column-profile.registry';
import type { ProfileField } from './column-profile.schema';
import { parseExportDate } from './export-date.parser';
import { normalizePhone } from './phone.util';
import { readRef, rowRef } from './record-id.util';

/** Where the rows come from: the stored file's key names rows whose own id is unusable. */
export interface RowContext {
  /** The stored file's reference (blob key or import file name). */
  fileRef: string;
  sheet?: string | null;
}

/** One row turned into a submission, with the pointer back into the stored file. */
export interface MappedRow {
  submission: SubmissionInput;
  row: number;
  line: number;
  lineEnd: number;
  byteOffset: number | null;
  byteLength: number | null;
  /** Set for letters with scan file names: the same physical letter registered twice has the same identity. */
  identity: string | null;
  malformed: boolean;
}

const ANONYMOUS_NAMES = new Set(['匿名', '匿名者', '无名氏', '不详', '无', '未留', '不愿透露']);
const YES = /^(是|y|yes|true|1|匿名|√)$/i;

/**
 * Maps one record of an export or register to a submission under a profile binding. Everything stays "as
 * given" (address, region, category label, text); only ids, phones and dates are normalized, and every
 * repair or doubt is written into `flags`.
 */
export function mapTabularRecord(record: TabularRecord, binding: ColumnBinding, ctx: RowContext): MappedRow {
  if (record.error) return malformedRow(record, binding, ctx);
  const { profile } = binding;
  const flags = [...record.flags];
  const addFlag = (f: string) => {
    if (!flags.includes(f)) flags.push(f);
  };
  const cell = (field: ProfileField): string => {
    const at = binding.fields[field];
    return at === undefined ? '' : (record.cells[at] ?? '');
  };
  const typed = (field: ProfileField) => {
    const at = binding.fields[field];
    return at === undefined ? undefined : (record.typed?.[at] ?? undefined);
  };
  const text = (field: ProfileField): string | null => {
    const v = cell(field).replace(/\r\n?/g, '\n').trim();
    return v === '' ? null : v;
  };

  for (const c of record.cells) if (isFormulaLike(c)) addFlag('formula_like_cell');

  const given = readRef(cell('ref'), typed('ref'));
  given.flags.forEach(addFlag);
  const ref = given.usable ? given.text! : rowRef(ctx.fileRef, record.row);
  if (!given.usable) addFlag('unusable_ref');

  const extra: Record<string, unknown> = { file: ctx.fileRef, row: record.row, line: record.line, profile: profile.id };
  if (ctx.sheet) extra.sheet = ctx.sheet;
  if (!given.usable && given.text) extra.givenRef = given.text;
  for (const [key, at] of Object.entries(binding.extra)) {
    const v = (record.cells[at] ?? '').trim();
    if (v) extra[key] = v;
  }

  const dateCell = cell('submittedAt');
  const date = parseExportDate(dateCell, profile.dateFormats, typed('submittedAt'));
  if (!date.iso && dateCell.trim()) {
    addFlag('unparsed_date');
    extra.givenSubmittedAt = dateCell.trim();
  }

  const phone = normalizePhone(cell('phone'), typed('phone'));
  phone.flags.forEach(addFlag);
  if (phone.others.length) extra.otherPhones = phone.others;

  let name = text('name');
  let anonymous = binding.fields.anonymous !== undefined && YES.test(toHalfWidth(cell('anonymous')).trim());
  if (name && ANONYMOUS_NAMES.has(name)) {
    anonymous = true;
    name = null;
  }

  const body = text('text') ?? '';
  let address = text('address');
  const returnAddress = text('returnAddress');
  if (returnAddress) {
    extra.returnAddress = returnAddress;
    if (!address) {
      address = letterLocationAddress(body, returnAddress);
      if (address) addFlag('location_from_sender_address');
    }
  }

  const scanFiles = splitScanFiles(text('scanFiles'));
  if (scanFiles.length) extra.scanFiles = scanFiles;
  const registrar = text('registrar');
  if (registrar) extra.registrar = registrar;
  addRegisterExtras(profile.channelType, cell, profile.dateFormats, extra, flags);

  const submission: SubmissionInput = {
    schemaVersion: 1,
    channelType: profile.channelType,
    ref,
    refs: [ref],
    title: text('title'),
    text: body,
    subject: text('subject'),
    declaredCategory: text('declaredCategory'),
    submittedAt: date.iso,
    complainant: { name, phone: phone.phone, anonymous },
    location: { address, region: text('region') },
    flags,
    extra,
  };
  const identity =
    profile.channelType === 'letter' ? letterIdentity({ sender: name ?? (anonymous ? '匿名' : null), date: date.iso ?? dateCell, scanFiles }) : null;
  return { submission, row: record.row, line: record.line, lineEnd: record.lineEnd, byteOffset: record.byteOffset, byteLength: record.byteLength, identity, malformed: false };
}

/** Visit head count and group flag, transfer authority, document number and deadline. */
function addRegisterExtras(
  channelType: string,
  cell: (f: ProfileField) => string,
  dateFormats: readonly string[],
  extra: Record<string, unknown>,
  flags: string[],
): void {
  if (channelType === 'visit') {
    const count = Number.parseInt(toHalfWidth(cell('visitors')).replace(/[^\d]/g, ''), 10);
    if (Number.isFinite(count) && count > 0) extra.visitors = count;
    const group = YES.test(toHalfWidth(cell('groupVisit')).trim());
    // 5 or more visitors on one matter is a group visit (群体访) by the petition rules, whatever the column says.
    extra.groupVisit = group || (Number.isFinite(count) && count >= 5);
  }
  if (channelType === 'transfer') {
    const authority = cell('originAuthority').trim();
    const docNumber = toHalfWidth(cell('originDocNumber')).trim();
    if (authority) extra.originAuthority = authority;
    if (docNumber) extra.originDocNumber = docNumber;
    const deadlineCell = cell('deadline').trim();
    if (deadlineCell) {
      const deadline = parseExportDate(deadlineCell, dateFormats);
      if (deadline.iso) extra.deadline = deadline.iso;
      else {
        extra.givenDeadline = deadlineCell;
        if (!flags.includes('unparsed_deadline')) flags.push('unparsed_deadline');
      }
    }
  }
}

function malformedRow(record: TabularRecord, binding: ColumnBinding, ctx: RowContext): MappedRow {
  const at = binding.fields.ref;
  const idCell = at === undefined ? '' : (record.cells[at] ?? '');
  return {
    submission: malformedRowSubmission(record, ctx, binding.profile.channelType, idCell),
    row: record.row,
    line: record.line,
    lineEnd: record.lineEnd,
    byteOffset: record.byteOffset,
    byteLength: record.byteLength,
    identity: null,
    malformed: true,
  };
}

/**
 * A row that could not be read (wrong column count, unterminated quote) as a submission the validate stage
 * rejects with `malformed_row`. Its ref is the row's own id when that id is usable (a later corrected export
 * of the same id is then recognised), otherwise `<file-ref>#row<n>`. The cells are kept as the text so a
 * person can read what arrived; the raw bytes stay in the stored file at the row's offsets.
 */
export function malformedRowSubmission(
  record: TabularRecord,
  ctx: RowContext,
  channelType: 'hotline' | 'letter' | 'visit' | 'transfer',
  idCell = record.cells[0] ?? '',
): SubmissionInput {
  const given = readRef(idCell, record.typed?.[0] ?? undefined);
  const ref = given.usable ? given.text! : rowRef(ctx.fileRef, record.row);
  const error = record.error ?? { row: record.row, line: record.line, reason: 'malformed row' };
  return {
    schemaVersion: 1,
    channelType,
    ref,
    refs: [ref],
    text: record.cells.join(' | ').replace(/\r\n?/g, '\n').trim(),
    flags: [...new Set([...record.flags, ...given.flags, 'malformed_row'])],
    rejectHint: 'malformed_row',
    extra: { file: ctx.fileRef, row: record.row, line: record.line, lineEnd: record.lineEnd, error, ...(ctx.sheet ? { sheet: ctx.sheet } : {}) },
  };
}
