import { randomBytes } from 'node:crypto';
import type { Attachment } from '@huiliu/contracts';

/**
 * A message over the size cap is not downloaded into memory. Its header and the parts that fit are fetched
 * by part number and put back together as a smaller message of the same headers (the "stand-in"), which
 * goes through the ordinary parser; the parts that did not fit are listed as refused attachments. The
 * whole original is streamed to the blob store beside it, so nothing is lost.
 */

/** The part of IMAP's BODYSTRUCTURE this needs (imapflow's MessageStructureObject). */
export interface StructureNode {
  part?: string;
  type: string;
  parameters?: Record<string, string>;
  encoding?: string;
  size?: number;
  disposition?: string;
  dispositionParameters?: Record<string, string>;
  childNodes?: StructureNode[];
}

export interface OversizePlan {
  /** Parts to fetch and put into the stand-in, in message order. */
  include: StructureNode[];
  /** Parts left out, listed on the submission as refused. */
  refused: Attachment[];
}

const DROPPED_HEADERS = /^(content-type|content-transfer-encoding|mime-version|content-disposition|content-length)\s*:/i;

function leaves(node: StructureNode, out: StructureNode[] = []): StructureNode[] {
  // An attached message is one attachment here, not a tree to enter.
  if (node.childNodes?.length && !/^message\/(rfc822|global)$/i.test(node.type)) {
    for (const c of node.childNodes) leaves(c, out);
  } else out.push(node);
  return out;
}

/** Decoded size from the encoded size the server reports (base64 carries 3 bytes in 4 characters plus line ends). */
export function decodedSize(node: StructureNode): number {
  const size = node.size ?? 0;
  return (node.encoding ?? '').toLowerCase() === 'base64' ? Math.floor((size * 3) / 4 / 1.027) : size;
}

/**
 * Chooses the parts of an oversize message to fetch: every part that is not itself over the per-part limit,
 * smallest total first in message order, while the stand-in stays under `budgetBytes`. A single-part
 * message (the body is the only part) keeps nothing of the body.
 */
export function planOversize(root: StructureNode, opts: { maxPartBytes: number; budgetBytes: number }): OversizePlan {
  const include: StructureNode[] = [];
  const refused: Attachment[] = [];
  if (!root.childNodes?.length) {
    refused.push(refusedOf(root, 'too_large'));
    return { include, refused };
  }
  let budget = opts.budgetBytes;
  for (const leaf of leaves(root)) {
    const size = leaf.size ?? 0;
    if (leaf.part && size <= opts.maxPartBytes && size <= budget) {
      include.push(leaf);
      budget -= size;
    } else refused.push(refusedOf(leaf, 'too_large'));
  }
  return { include, refused };
}

function refusedOf(node: StructureNode, reason: string): Attachment {
  const filename = node.dispositionParameters?.filename ?? node.parameters?.name ?? null;
  return {
    filename: filename ? filename.replace(/[\u0000-\u001f\u007f]/g, '').split(/[\\/]/).pop()!.slice(0, 255) || null : null,
    contentType: (node.type || 'application/octet-stream').toLowerCase(),
    size: decodedSize(node),
    blobKey: null,
    sha256: null,
    refused: reason,
    sourceRef: null,
  };
}

/** The header block without the fields that describe the original body (the stand-in has its own). */
function keptHeaderLines(header: Buffer): Buffer[] {
  const text = header.toString('latin1');
  const lines = text.split(/\r?\n/);
  const out: Buffer[] = [];
  let dropping = false;
  for (const line of lines) {
    if (line === '') continue;
    if (/^[ \t]/.test(line)) {
      if (!dropping) out.push(Buffer.from(line, 'latin1'));
      continue;
    }
    dropping = DROPPED_HEADERS.test(line);
    if (!dropping) out.push(Buffer.from(line, 'latin1'));
  }
  return out;
}

function paramValue(v: string): string {
  // Parameter values from BODYSTRUCTURE are decoded text: ASCII goes quoted, anything else RFC 2231-encoded.
  return /^[\x20-\x7e]*$/.test(v) ? `"${v.replace(/["\\]/g, '\\$&')}"` : '';
}

function param(name: string, v: string | undefined): string {
  if (!v) return '';
  const quoted = paramValue(v);
  return quoted ? `; ${name}=${quoted}` : `; ${name}*=UTF-8''${encodeURIComponent(v)}`;
}

/**
 * The stand-in message: the original header fields, then a multipart/mixed of the fetched parts with
 * MIME headers rebuilt from BODYSTRUCTURE. `binary` lists parts the server already decoded (FETCH BINARY).
 */
export function buildStandIn(header: Buffer, parts: { node: StructureNode; content: Buffer; binary: boolean }[]): Buffer {
  const boundary = `huiliu-oversize-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const line of keptHeaderLines(header)) chunks.push(line, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n`));
  for (const { node, content, binary } of parts) {
    const p = node.parameters ?? {};
    const dp = node.dispositionParameters ?? {};
    let head = `--${boundary}\r\nContent-Type: ${node.type}${param('charset', p.charset)}${param('name', p.name)}\r\n`;
    head += `Content-Transfer-Encoding: ${binary ? 'binary' : (node.encoding ?? '7bit')}\r\n`;
    if (node.disposition) head += `Content-Disposition: ${node.disposition}${param('filename', dp.filename)}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'latin1'), content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
