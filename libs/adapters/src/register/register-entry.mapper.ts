import type { SubmissionInput } from '@huiliu/contracts';
import { normalizePhone } from '../hotline/phone.util';
import { letterIdentity } from './letter-identity.util';
import { letterLocationAddress } from './letter-location.util';
import type { LetterEntry, TransferEntry, VisitEntry } from './register-entry.schema';

/** The caller's fallback ref when staff left the registration number empty (e.g. from a sequence). */
export interface EntryContext {
  generatedRef: string;
}

const ANONYMOUS_NAMES = new Set(['匿名', '匿名者', '无名氏', '不详']);

/** Staff dates are Beijing wall-clock: a bare date becomes midnight +08:00, a local date-time gets +08:00. */
export function staffDateToIso(value: string | null): string | null {
  if (!value) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00:00+08:00`;
  if (/(Z|[+-]\d{2}:\d{2})$/.test(value)) return value;
  const withSeconds = /T\d{2}:\d{2}$/.test(value) ? `${value}:00` : value;
  return `${withSeconds}+08:00`;
}

function complainant(name: string | null, phone: string | null, anonymous: boolean, flags: string[]) {
  const phoneResult = normalizePhone(phone ?? '');
  for (const f of phoneResult.flags) if (!flags.includes(f)) flags.push(f);
  const isAnonymousName = !!name && ANONYMOUS_NAMES.has(name);
  return { name: isAnonymousName ? null : name, phone: phoneResult.phone, anonymous: anonymous || isAnonymousName };
}

function pages(list: LetterEntry['scannedPages']) {
  return list.map((p) => ({ filename: p.filename, contentType: p.contentType, size: p.size, blobKey: p.blobKey, sha256: p.sha256 }));
}

export function letterEntryToSubmission(entry: LetterEntry, ctx: EntryContext): { submission: SubmissionInput; identity: string | null } {
  const ref = entry.registrationNumber ?? ctx.generatedRef;
  const flags: string[] = [];
  const submittedAt = staffDateToIso(entry.receivedDate);
  let address = entry.address;
  if (!address && entry.returnAddress) {
    address = letterLocationAddress(entry.summary, entry.returnAddress);
    if (address) flags.push('location_from_sender_address');
  }
  const person = complainant(entry.name, entry.phone, entry.anonymous, flags);
  const submission: SubmissionInput = {
    schemaVersion: 1,
    channelType: 'letter',
    ref,
    refs: [ref],
    text: entry.summary,
    subject: entry.subject,
    declaredCategory: entry.declaredCategory,
    submittedAt,
    complainant: person,
    location: { address, region: entry.region },
    attachments: pages(entry.scannedPages),
    flags,
    extra: {
      entry: 'staff',
      ...(entry.returnAddress ? { returnAddress: entry.returnAddress } : {}),
      ...(entry.registrar ? { registrar: entry.registrar } : {}),
      scanFiles: entry.scannedPages.map((p) => p.filename),
    },
  };
  const identity = letterIdentity({ sender: entry.name, date: submittedAt, scanFiles: entry.scannedPages.map((p) => p.filename) });
  return { submission, identity };
}

export function visitEntryToSubmission(entry: VisitEntry, ctx: EntryContext): SubmissionInput {
  const ref = entry.registrationNumber ?? ctx.generatedRef;
  const flags: string[] = [];
  return {
    schemaVersion: 1,
    channelType: 'visit',
    ref,
    refs: [ref],
    text: entry.summary,
    subject: entry.subject,
    declaredCategory: entry.declaredCategory,
    submittedAt: staffDateToIso(entry.visitDate),
    complainant: complainant(entry.name, entry.phone, entry.anonymous, flags),
    location: { address: entry.address, region: entry.region },
    flags,
    extra: {
      entry: 'staff',
      visitors: entry.visitors,
      // 5 or more visitors on one matter is a group visit (群体访) by the petition rules.
      groupVisit: entry.groupVisit || entry.visitors >= 5,
      ...(entry.returnAddress ? { returnAddress: entry.returnAddress } : {}),
      ...(entry.registrar ? { registrar: entry.registrar } : {}),
    },
  };
}

export function transferEntryToSubmission(entry: TransferEntry, ctx: EntryContext): SubmissionInput {
  const ref = entry.registrationNumber ?? ctx.generatedRef;
  const flags: string[] = [];
  return {
    schemaVersion: 1,
    channelType: 'transfer',
    ref,
    refs: [ref],
    text: entry.summary,
    subject: entry.subject,
    declaredCategory: entry.declaredCategory,
    submittedAt: staffDateToIso(entry.receivedDate),
    complainant: complainant(entry.name, entry.phone, entry.anonymous, flags),
    location: { address: entry.address, region: entry.region },
    attachments: pages(entry.attachments),
    flags,
    extra: {
      entry: 'staff',
      originAuthority: entry.originAuthority,
      ...(entry.originDocNumber ? { originDocNumber: entry.originDocNumber } : {}),
      ...(entry.deadline ? { deadline: staffDateToIso(entry.deadline) } : {}),
      ...(entry.registrar ? { registrar: entry.registrar } : {}),
    },
  };
}
