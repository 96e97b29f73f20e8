import PostalMime from 'postal-mime';
import { foldHeaderLines, type RawHeader } from './email-header.util';

/**
 * The MIME tree of a message, built by postal-mime, with what postal-mime's public result loses kept aside:
 * the raw bytes of every part's header lines (postal-mime decodes them as UTF-8 and turns raw GBK/Big5 into
 * U+FFFD) and each part's transfer-decoded body bytes before any charset is applied (postal-mime applies the
 * declared charset, falling back to UTF-8 or windows-1252, which is wrong for much Chinese mail).
 *
 * postal-mime exposes the tree only on the parser instance (members it marks internal). They are reached
 * through PostalMimeInternals below, checked when this module loads.
 */
export interface MimePart {
  /** Lowercased type (`text/plain`), `text/plain` when absent, as postal-mime resolves it. */
  contentType: string;
  /** The multipart subtype (`mixed`, `alternative`, `report` …), or null for a leaf. */
  multipart: string | null;
  headers: RawHeader[];
  /** Transfer-decoded body (leaves only); null when the body was skipped as oversized. */
  content: Buffer | null;
  /** For a skipped body: the decoded size estimated from the encoded bytes seen. */
  skippedSize: number | null;
  transferEncoding: string;
  children: MimePart[];
  depth: number;
}

export interface MimeLimits {
  maxNestingDepth: number;
  maxHeaderLines: number;
  maxParts: number;
  /** Epoch ms after which parsing stops with MimeLimitError. */
  deadline: number;
  /**
   * Called once a leaf's body has grown past `skipAfterBytes` encoded bytes: returns true when the rest of
   * its body need not be decoded at all (an attachment that will be refused as too large anyway).
   */
  skipAfterBytes: number;
  shouldSkip: (contentType: string, headers: RawHeader[], decodedEstimate: number) => boolean;
}

export class MimeLimitError extends Error {}

/** The members of a postal-mime parser and its nodes this module relies on. */
interface PostalMimeInternals {
  root: NodeInternals;
  currentNode: NodeInternals;
  processLine(line: Uint8Array, isFinal: boolean): Promise<void>;
  collectNode(...args: unknown[]): Promise<void>;
  buildMessage(): unknown;
  parse(buf: ArrayBuffer | Uint8Array): Promise<unknown>;
}
interface NodeInternals {
  state: 'header' | 'body' | 'finished';
  headerLines: string[];
  childNodes: NodeInternals[];
  depth: number;
  contentType: { parsed: { value: string; params: Record<string, string> }; multipart: string | false };
  contentTransferEncoding: { encoding: string };
  content: ArrayBuffer | null;
}

interface NodeExtra {
  rawHeaderLines: Uint8Array[];
  headers: RawHeader[] | null;
  /** Body characters seen, line ends excluded. */
  bodyBytes: number;
  skipping: boolean;
}

/** Decoded size of a body from its encoded characters (line ends excluded). */
function estimateDecoded(encodedChars: number, encoding: string): number {
  return encoding === 'base64' ? Math.floor((encodedChars * 3) / 4) : encodedChars;
}

const DASH = 0x2d;

// Checked once at load: a postal-mime upgrade that renames these must stop the process at start-up, not turn
// every message into a dead letter.
{
  const proto = PostalMime.prototype as unknown as Partial<PostalMimeInternals>;
  for (const name of ['processLine', 'collectNode', 'buildMessage'] as const) {
    if (typeof proto[name] !== 'function') throw new Error(`postal-mime no longer has ${name}(): the e-mail parser needs updating`);
  }
}

export async function parseMimeTree(raw: Buffer, limits: MimeLimits): Promise<MimePart> {
  const parser = new PostalMime({
    maxNestingDepth: limits.maxNestingDepth,
    maxHeadersSize: 1024 * 1024,
    // Attached messages are parsed by the caller, with the same limits and deadline.
    maxRfc822NestingDepth: 0,
  }) as unknown as PostalMimeInternals;

  const extras = new Map<NodeInternals, NodeExtra>();
  const extraOf = (node: NodeInternals): NodeExtra => {
    let e = extras.get(node);
    if (!e) {
      if (extras.size >= limits.maxParts) throw new MimeLimitError(`more than ${limits.maxParts} MIME parts`);
      e = { rawHeaderLines: [], headers: null, bodyBytes: 0, skipping: false };
      extras.set(node, e);
    }
    return e;
  };
  let headerLines = 0;
  let lines = 0;

  const processLine = parser.processLine.bind(parser);
  parser.processLine = async (line: Uint8Array, isFinal: boolean) => {
    if ((++lines & 0x3ff) === 0 && Date.now() > limits.deadline) throw new MimeLimitError('time budget exceeded');
    const node = parser.currentNode;
    const extra = extraOf(node);
    const maybeBoundary = line.length > 2 && line[0] === DASH && line[1] === DASH;
    if (node.state === 'body' && !maybeBoundary && !node.contentType.multipart) {
      extra.bodyBytes += line.length;
      if (!extra.skipping && extra.bodyBytes > limits.skipAfterBytes) {
        extra.headers ??= foldHeaderLines(extra.rawHeaderLines);
        const estimate = estimateDecoded(extra.bodyBytes, node.contentTransferEncoding.encoding);
        extra.skipping = limits.shouldSkip(node.contentType.parsed.value, extra.headers, estimate);
      }
      // An oversized attachment's lines are counted but never decoded: its bytes would be refused anyway, and
      // decoding them costs the decoded size again plus postal-mime's copies of it.
      if (extra.skipping) {
        if (isFinal) await processLine(new Uint8Array(0), true);
        return;
      }
    }
    if (node.state === 'header') {
      const before = node.headerLines.length;
      await processLine(line, isFinal);
      if (node.headerLines.length > before) {
        extra.rawHeaderLines.push(line);
        if (++headerLines > limits.maxHeaderLines) throw new MimeLimitError(`more than ${limits.maxHeaderLines} header lines`);
      }
      return;
    }
    await processLine(line, isFinal);
  };
  // The body, attachments and attached messages are assembled by the caller from the tree: postal-mime's own
  // assembly would decode every text part with the declared charset and parse attached messages again.
  parser.collectNode = async () => undefined;
  parser.buildMessage = () => ({ attachments: [] });

  // An ArrayBuffer that is exactly the message is used as is; a Buffer view would be copied by postal-mime.
  const input = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? (raw.buffer as ArrayBuffer) : raw;
  await parser.parse(input);

  const convert = (node: NodeInternals): MimePart => {
    const extra = extras.get(node);
    const skipped = extra?.skipping ?? false;
    const encoding = node.contentTransferEncoding.encoding || '';
    const bodyBytes = extra?.bodyBytes ?? 0;
    return {
      contentType: node.contentType.parsed.value || 'text/plain',
      multipart: node.contentType.multipart || null,
      headers: extra?.headers ?? foldHeaderLines(extra?.rawHeaderLines ?? []),
      content: skipped || !node.content ? null : Buffer.from(node.content),
      skippedSize: skipped ? estimateDecoded(bodyBytes, encoding) : null,
      transferEncoding: encoding,
      children: node.childNodes.map(convert),
      depth: node.depth,
    };
  };
  return convert(parser.root);
}
