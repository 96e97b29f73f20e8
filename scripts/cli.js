#!/usr/bin/env node
// `npm run cli -- <verb>`: builds if the sources changed, then runs the operator CLI.
require('./build.js').build(false);
require('../dist/apps/cli/src/main.js');
