#!/usr/bin/env node
// Compiles apps/, libs/ and bench/ to dist/ with swc (fast, no type check; `npm run typecheck` checks types).
// Skips the work when nothing changed since the last build, so `npm start` and the CLI stay quick.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const sources = ['apps', 'libs', 'bench'];

function newestMtime(dir) {
  let newest = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    if (!fs.existsSync(d)) continue;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  }
  return newest;
}

function build(force) {
const inputs = Math.max(...sources.map((s) => newestMtime(path.join(root, s))), fs.statSync(path.join(root, '.swcrc')).mtimeMs);
const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
if (built >= inputs && !force) return;

// Files are overwritten in place (never delete dist/ first): other processes may be running from it.
// A lock directory keeps concurrent builds (parallel test runs, `npm start` beside the CLI) from interleaving.
const lock = path.join(root, '.build-lock');
const deadline = Date.now() + 120000;
for (;;) {
  try {
    fs.mkdirSync(lock);
    break;
  } catch {
    const age = (() => {
      try {
        return Date.now() - fs.statSync(lock).mtimeMs;
      } catch {
        return 0;
      }
    })();
    if (age > 120000) fs.rmSync(lock, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`could not take ${lock}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}
try {
  const again = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  if (again < inputs || force) {
    const swc = require.resolve('@swc/cli/bin/swc.js');
    execFileSync(process.execPath, [swc, ...sources.filter((s) => fs.existsSync(path.join(root, s))), '-d', 'dist', '--config-file', '.swcrc', '--copy-files', '-q', '--ignore', '**/__tests__/**'], {
      cwd: root,
      stdio: 'inherit',
    });
    fs.mkdirSync(path.dirname(stamp), { recursive: true });
    fs.writeFileSync(stamp, new Date().toISOString());
  }
} finally {
  fs.rmSync(lock, { recursive: true, force: true });
}
}

module.exports = { build };
// `node scripts/build.js [--force]`; required by scripts/start.js and scripts/cli.js, which call build().
if (require.main === module) build(process.argv.includes('--force'));
