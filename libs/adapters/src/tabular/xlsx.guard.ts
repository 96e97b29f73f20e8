import * as yauzl from 'yauzl';
import { DEFAULT_TABULAR_LIMITS, TabularRejection, type TabularLimits } from './tabular.types';

export interface ZipInspection {
  entries: number;
  totalUncompressed: number;
  largestRatio: number;
}

/**
 * Reads only the zip central directory (no inflating) and refuses an XLSX whose declared sizes would blow
 * up memory or disk: too many bytes in total, or a large entry with an implausible compression ratio.
 * Real exports compress ~5-20×; a zip bomb declares ratios in the thousands.
 */
export async function inspectXlsxZip(source: string | Buffer, partial: Partial<TabularLimits> = {}): Promise<ZipInspection> {
  const limits = { ...DEFAULT_TABULAR_LIMITS, ...partial };
  const zip = await openZip(source);
  try {
    return await new Promise<ZipInspection>((resolve, reject) => {
      const result: ZipInspection = { entries: 0, totalUncompressed: 0, largestRatio: 0 };
      zip.on('error', (err: Error) => reject(new TabularRejection('zip_unreadable', `not a readable XLSX (zip): ${err.message}`)));
      zip.on('entry', (entry: yauzl.Entry) => {
        result.entries++;
        result.totalUncompressed += entry.uncompressedSize;
        const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
        result.largestRatio = Math.max(result.largestRatio, ratio);
        if (result.entries > limits.maxZipEntries) {
          return reject(new TabularRejection('zip_bomb', `XLSX refused: more than ${limits.maxZipEntries} zip entries`));
        }
        if (result.totalUncompressed > limits.maxUncompressedBytes) {
          return reject(
            new TabularRejection(
              'zip_bomb',
              `XLSX refused: declared uncompressed size exceeds ${limits.maxUncompressedBytes} bytes (at entry ${entry.fileName})`,
            ),
          );
        }
        if (entry.uncompressedSize >= limits.ratioCheckMinBytes && ratio > limits.maxCompressionRatio) {
          return reject(
            new TabularRejection(
              'zip_bomb',
              `XLSX refused: entry ${entry.fileName} declares compression ratio ${Math.round(ratio)} (limit ${limits.maxCompressionRatio})`,
            ),
          );
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve(result));
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

function openZip(source: string | Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip?: yauzl.ZipFile) =>
      err || !zip ? reject(new TabularRejection('zip_unreadable', `not a readable XLSX (zip): ${err?.message ?? 'no central directory'}`)) : resolve(zip);
    if (typeof source === 'string') yauzl.open(source, { lazyEntries: true, autoClose: false }, done);
    else yauzl.fromBuffer(source, { lazyEntries: true }, done);
  });
}
