/** Deciding what an attachment really is and whether its bytes are kept. */

const GENERIC_TYPES = new Set([
  '', 'application/octet-stream', 'application/x-download', 'application/download', 'application/force-download',
  'application/unknown', 'binary/octet-stream', 'application/binary', 'application/x-unknown',
]);

const BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', jpe: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp',
  bmp: 'image/bmp', tif: 'image/tiff', tiff: 'image/tiff', heic: 'image/heic', heif: 'image/heif',
  pdf: 'application/pdf', doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text', ods: 'application/vnd.oasis.opendocument.spreadsheet', rtf: 'application/rtf',
  wps: 'application/wps-office.doc', et: 'application/wps-office.xls', txt: 'text/plain', zip: 'application/zip',
  rar: 'application/vnd.rar', '7z': 'application/x-7z-compressed', exe: 'application/x-msdownload',
  mp4: 'video/mp4', mov: 'video/quicktime', mp3: 'audio/mpeg', amr: 'audio/amr', wav: 'audio/wav', eml: 'message/rfc822',
};

/** Content types recognisable from their first bytes. Executables are recognised to refuse them whatever the label. */
function sniff(head: Uint8Array): string | null {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x89, 0x50, 0x4e, 0x47)) return 'image/png';
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (at(0, 0x25, 0x50, 0x44, 0x46)) return 'application/pdf';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  if (at(0, 0x4d, 0x5a)) return 'application/x-msdownload';
  if (at(0, 0x7f, 0x45, 0x4c, 0x46)) return 'application/x-executable';
  return null;
}

const EXECUTABLE = new Set(['application/x-msdownload', 'application/x-executable']);

/**
 * The content type to record: the declared one, unless it is generic (octet-stream) and the bytes or the file
 * name say more, or the bytes are an executable whatever the label claims.
 */
export function effectiveContentType(declared: string, filename: string | null, head: Uint8Array | null): string {
  const d = declared.trim().toLowerCase();
  const sniffed = head ? sniff(head) : null;
  if (sniffed && EXECUTABLE.has(sniffed)) return sniffed;
  if (!GENERIC_TYPES.has(d)) return d;
  if (sniffed) return sniffed;
  const ext = filename ? /\.([a-z0-9]{1,5})$/i.exec(filename.trim())?.[1].toLowerCase() : undefined;
  return (ext && BY_EXTENSION[ext]) || d || 'application/octet-stream';
}

export function isAllowedType(contentType: string, allowed: readonly string[]): boolean {
  const t = contentType.toLowerCase();
  return allowed.some((a) => {
    const p = a.toLowerCase();
    return p.endsWith('/*') ? t.startsWith(p.slice(0, -1)) : t === p;
  });
}

/** A file name safe to show and store as metadata: no path, no control characters, bounded length. */
export function cleanFilename(name: string | null): string | null {
  if (!name) return null;
  const base = name.replace(/[\u0000-\u001f\u007f]/g, '').split(/[\\/]/).pop()!.trim();
  return base ? base.slice(0, 255) : null;
}
