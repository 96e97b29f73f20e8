import { readTabular } from '@huiliu/adapters/tabular';

async function main(): Promise<void> {
  for (const file of process.argv.slice(2)) {
    const stream = readTabular(file, { isHeader: (cells) => cells.includes('受理编号') || cells.includes('登记编号') });
    let n = 0;
    try {
      for await (const r of stream) {
        if (n < 3 || r.error || r.flags.length) console.log(r.row, r.line, r.lineEnd, r.byteOffset, r.byteLength, r.flags, r.error?.reason, r.cells.slice(0, 4).join('|').slice(0, 80));
        n++;
      }
    } catch (err) {
      console.log('REJECT', (err as Error).message);
    }
    console.log(file, n, JSON.stringify(stream.summary).slice(0, 400));
  }
}
void main();
