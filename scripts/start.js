#!/usr/bin/env node
// `npm start`: build, check Postgres and Redis and apply migrations, then run the gateway and the worker
// side by side. Stops both when either exits or on Ctrl-C.
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');

require('./build.js').build(false);
const dist = path.join(__dirname, '..', 'dist', 'apps');
const pre = spawnSync(process.execPath, [path.join(dist, 'cli/src/main.js'), 'migrate'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (pre.status !== 0) process.exit(pre.status ?? 1);

// A larger young generation: judging and the inbox allocate many short-lived objects per batch, and the
// default one makes the collector run (and promote survivors) several times per batch.
const NODE_FLAGS = ['--max-semi-space-size=32'];

const children = ['gateway', 'worker'].map((role) => {
  const child = spawn(process.execPath, [...NODE_FLAGS, path.join(dist, role, 'src/main.js')], { stdio: 'inherit', env: process.env });
  child.role = role;
  return child;
});
let exiting = false;
const stopAll = (signal) => {
  for (const c of children) if (c.exitCode === null) c.kill(signal);
};
for (const c of children) {
  c.on('exit', (code, signal) => {
    if (!exiting) {
      exiting = true;
      process.stderr.write(`huiliu: ${c.role} exited (${signal ?? code}); stopping\n`);
      stopAll('SIGTERM');
      process.exitCode = code ?? 1;
    }
  });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    exiting = true;
    stopAll(sig);
  });
}
