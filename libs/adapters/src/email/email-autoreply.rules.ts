import type { EmailRejectHint } from './email.types';

/** What the adapter can already tell is no complaint: a machine answering, not a person writing. */
export interface RejectVerdict {
  hint: EmailRejectHint;
  /** Human-readable evidence, shown to staff with the rejection. */
  reason: string;
}

export interface AutoReplyEvidence {
  /** Decoded header values by lowercased name (first occurrence). */
  header: (name: string) => string | null;
  subject: string | null;
  fromAddress: string | null;
  /** Content types of all parts (lowercased), and the report-type of a multipart/report. */
  partTypes: readonly string[];
  reportType: string | null;
  /** A summary of the delivery-status fields (Status, Diagnostic-Code, Final-Recipient) when present. */
  dsnSummary: string | null;
}

const BOUNCE_SENDER = /^(?:mailer-daemon|postmaster|mail-daemon|maildelivery|mail\.delivery\.system)(?:@|$)/i;
const BOUNCE_SUBJECT =
  /(undeliver(?:ed|able)\s+mail|mail\s+delivery\s+(?:failed|failure|system)|delivery\s+status\s+notification\s*\((?:failure|delay)\)|returned\s+mail|^undeliverable\s*:|delivery\s+failure|系统退信|退信通知|邮件退信|投递失败|无法投递|未能送达)/i;
const AUTO_SUBJECT = /(自动回复|自动答复|自动应答|auto(?:matic)?[\s-]*(?:reply|response|answer)|out\s+of\s+(?:the\s+)?office|abwesenheit|不在办公室)/i;
const PRECEDENCE_AUTO = /^(?:bulk|auto_reply|auto-reply|junk)$/i;

export function detectReject(e: AutoReplyEvidence): RejectVerdict | null {
  // Bounces first: a DSN usually also carries Auto-Submitted, but "bounce" is the more precise reason.
  if (e.partTypes.includes('message/delivery-status') || (e.reportType ?? '').toLowerCase() === 'delivery-status') {
    return { hint: 'bounce', reason: `delivery-status report${e.dsnSummary ? `: ${e.dsnSummary}` : ''}` };
  }
  if (e.fromAddress && BOUNCE_SENDER.test(e.fromAddress)) {
    return { hint: 'bounce', reason: `sent by ${e.fromAddress}${e.dsnSummary ? `: ${e.dsnSummary}` : ''}` };
  }
  if (e.subject && BOUNCE_SUBJECT.test(e.subject) && (e.header('auto-submitted') !== null || !e.fromAddress)) {
    return { hint: 'bounce', reason: `bounce subject "${e.subject.slice(0, 120)}"` };
  }

  const autoSubmitted = e.header('auto-submitted');
  if (autoSubmitted !== null) {
    const token = autoSubmitted.split(/[;\s(]/)[0].trim().toLowerCase();
    if (token && token !== 'no') return { hint: 'auto_reply', reason: `Auto-Submitted: ${autoSubmitted.slice(0, 80)}` };
  }
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-auto-reply']) {
    const v = e.header(name);
    if (v !== null && !/^(?:no|false|0)$/i.test(v.trim())) return { hint: 'auto_reply', reason: `${name}: ${v.slice(0, 80)}` };
  }
  const precedence = e.header('precedence');
  if (precedence !== null && PRECEDENCE_AUTO.test(precedence.trim())) return { hint: 'auto_reply', reason: `Precedence: ${precedence.trim()}` };
  if (e.subject && AUTO_SUBJECT.test(e.subject)) return { hint: 'auto_reply', reason: `auto-reply subject "${e.subject.slice(0, 120)}"` };
  if (e.subject && BOUNCE_SUBJECT.test(e.subject)) return { hint: 'bounce', reason: `bounce subject "${e.subject.slice(0, 120)}"` };
  return null;
}

/** The fields of a message/delivery-status body worth showing: recipient, action, status, diagnostic. */
export function summarizeDsn(text: string): string | null {
  const pick = (name: string) => new RegExp(`^${name}\\s*:\\s*(.+)$`, 'im').exec(text)?.[1].trim() ?? null;
  const parts = [
    ['Final-Recipient', pick('Final-Recipient')],
    ['Action', pick('Action')],
    ['Status', pick('Status')],
    ['Diagnostic-Code', pick('Diagnostic-Code')],
  ].filter(([, v]) => v) as [string, string][];
  return parts.length ? parts.map(([k, v]) => `${k}: ${v.slice(0, 200)}`).join('; ') : null;
}
