/**
 * Measures the WeChat adapter's pure side over the sample corpus and the third-party samples:
 * every push ends as a conversation message or a clear rejection; the published safe-mode vectors verify
 * and decrypt; verify + parse + map costs per push.
 *
 *   npx swc scripts/dev/wechat-eval.ts libs -d /tmp/wx-eval --config-file .swcrc -q && node /tmp/wx-eval/scripts/dev/wechat-eval.js
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  WechatRejectedError,
  openWechatPush,
  parseWechatXml,
  toConversationMessage,
  verifySignature,
  wechatSignatureOf,
} from '@huiliu/adapters/wechat';

const SHARED = process.env.HUILIU_SHARED ?? '/work/shared';
const SAMPLES = join(SHARED, 'samples/wechat');
const EXTERNAL = join(SHARED, 'external/wechat');

interface Outcome {
  file: string;
  result: string;
  ref?: string;
}

function xmlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return xmlFiles(path);
    return entry.name.endsWith('.xml') ? [path] : [];
  });
}

/** Safe-mode parameters per encrypted file, from the provenance notes next to the samples. */
function cryptoParams(): Map<string, { token: string; encodingAesKey: string; appId: string; timestamp: string; nonce: string; msgSignature: string }> {
  const params = new Map();
  for (const slug of existsSync(EXTERNAL) ? readdirSync(EXTERNAL) : []) {
    const provenance = join(EXTERNAL, slug, '_provenance_and_expected.json');
    if (!existsSync(provenance)) continue;
    for (const sample of JSON.parse(readFileSync(provenance, 'utf8')).samples as { file: string; crypto?: Record<string, string> }[]) {
      const c = sample.crypto;
      if (!c) continue;
      params.set(join(EXTERNAL, slug, sample.file), {
        token: c.token,
        encodingAesKey: c.encoding_aes_key,
        appId: c.receive_id,
        timestamp: c.timestamp,
        nonce: c.nonce,
        msgSignature: c.msg_signature,
      });
    }
  }
  return params;
}

function classify(file: string, body: Buffer, crypto: ReturnType<typeof cryptoParams>): Outcome {
  try {
    const c = crypto.get(file);
    let message;
    if (c) {
      const query = { timestamp: c.timestamp, nonce: c.nonce, encrypt_type: 'aes', msg_signature: c.msgSignature };
      message = openWechatPush(query, body, { token: c.token, encodingAesKey: c.encodingAesKey, appId: c.appId }).message;
    } else {
      message = parseWechatXml(body);
    }
    const m = toConversationMessage(message);
    return { file, result: `${c ? 'decrypted:' : ''}${m.kind}${m.event ? `:${m.event}` : ''}`, ref: m.ref };
  } catch (error) {
    if (error instanceof WechatRejectedError) return { file, result: `rejected:${error.code}` };
    return { file, result: `CRASH:${error instanceof Error ? error.stack : String(error)}` };
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function main(): void {
  const crypto = cryptoParams();
  const files = [...xmlFiles(SAMPLES).sort(), ...xmlFiles(EXTERNAL).sort()];
  const outcomes = files.map((file) => classify(file, readFileSync(file), crypto));

  const tally = new Map<string, number>();
  for (const o of outcomes) tally.set(o.result.split('\n')[0], (tally.get(o.result.split('\n')[0]) ?? 0) + 1);
  console.log(`files: ${files.length} (samples ${xmlFiles(SAMPLES).length}, external ${xmlFiles(EXTERNAL).length})`);
  for (const [result, count] of [...tally].sort((a, b) => b[1] - a[1])) console.log(`  ${String(count).padStart(4)}  ${result}`);
  const crashes = outcomes.filter((o) => o.result.startsWith('CRASH'));
  for (const c of crashes) console.log(`CRASH ${c.file}\n${c.result}`);

  // The external samples: list each outcome, since each was chosen for a quirk.
  console.log('\nexternal samples:');
  for (const o of outcomes.filter((x) => x.file.startsWith(EXTERNAL))) console.log(`  ${o.file.slice(EXTERNAL.length + 1).padEnd(70)} ${o.result}  ${o.ref ?? ''}`);
  const decrypted = outcomes.filter((o) => o.result.startsWith('decrypted:')).length;
  console.log(`\nencrypted vectors verified and decrypted: ${decrypted}/${crypto.size}`);

  // Refs against the labelled truth: MsgId, or FromUserName:CreateTime for events.
  const truthPath = join(SHARED, 'samples/truth.jsonl');
  if (existsSync(truthPath)) {
    const truth = readFileSync(truthPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((t) => t.channel === 'wechat');
    const byFile = new Map(outcomes.map((o) => [o.file.slice(join(SHARED, 'samples').length + 1), o]));
    let matched = 0;
    const mismatches: string[] = [];
    for (const t of truth) {
      const expected = t.ref.MsgId ?? `${t.ref.FromUserName}:${t.ref.CreateTime}`;
      const got = byFile.get(t.ref.file)?.ref;
      if (got === expected) matched++;
      else mismatches.push(`${t.ref.file}: expected ${expected}, got ${got}`);
    }
    console.log(`refs matching truth.jsonl: ${matched}/${truth.length}`);
    for (const m of mismatches.slice(0, 10)) console.log(`  ${m}`);
  }

  // Cost of verify + parse + map per push, over the sample bodies, single-threaded.
  const token = 'evalToken';
  const bodies = xmlFiles(SAMPLES).map((f) => readFileSync(f));
  const queries = bodies.map((_, i) => {
    const timestamp = String(1725180000 + i);
    const nonce = String(100000 + i);
    return { token, timestamp, nonce, signature: wechatSignatureOf([token, timestamp, nonce]) };
  });
  const rounds = 50;
  for (let i = 0; i < bodies.length * 5; i++) toConversationMessage(parseWechatXml(bodies[i % bodies.length]));
  const samples: number[] = [];
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < bodies.length; i++) {
      const t0 = process.hrtime.bigint();
      if (!verifySignature(queries[i])) throw new Error('signature');
      toConversationMessage(parseWechatXml(bodies[i]));
      samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
  samples.sort((a, b) => a - b);
  console.log(
    `\nverify+parse+map: ${samples.length} pushes in ${totalMs.toFixed(0)} ms = ${Math.round((samples.length / totalMs) * 1000)} pushes/s on one core; ` +
      `p50 ${percentile(samples, 50).toFixed(1)} µs, p99 ${percentile(samples, 99).toFixed(1)} µs, max ${samples[samples.length - 1].toFixed(0)} µs`,
  );

  // Safe mode adds one more parse and an AES decryption.
  const vectors = [...crypto.entries()];
  if (vectors.length) {
    const n = 5000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const [file, c] = vectors[i % vectors.length];
      openWechatPush({ timestamp: c.timestamp, nonce: c.nonce, encrypt_type: 'aes', msg_signature: c.msgSignature }, readFileSync(file), c);
    }
    console.log(`safe mode verify+decrypt+parse (file read included): ${(Number(process.hrtime.bigint() - t0) / 1000 / n).toFixed(1)} µs per push`);
  }
  if (crashes.length) process.exitCode = 1;
}

main();
