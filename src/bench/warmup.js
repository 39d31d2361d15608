#!/usr/bin/env node
'use strict';
// Warms a freshly started Tocsin before it is measured. A JVM compiles its hot paths during the
// first minute of load (on this 2-core box the JIT compiler threads took more CPU than the
// server's own work in the first runs), so a cold Payara measures its compiler, not Tocsin.
// A Node server warms up in a fraction of a second. Production servers run for weeks.
//
//   node warmup.js --once  --tocsin URL --harness DIR --adapter FILE
//       warms the running instance, then exits
//   node warmup.js --gate PORT --tocsin URL --harness DIR --adapter FILE
//       serves GET /ready: 503 until the Tocsin instance running now has been warmed, then 200.
//       The harness polls it (PEER_X_READY) after starting each fresh server, so every run
//       starts warm. A new instance is told apart by its JVM start time (/metrics, base scope).
//
// The warm-up load comes from the harness's own load generator, pinned to the load generator's
// CPU, and is over before the harness's quiet-wait and measured run begin.

const http = require('http');
const path = require('path');
const { spawn } = require('child_process');
const { parseArgs } = require('util');
const { get, metric } = require('./tocsin-http');

const { values: opt } = parseArgs({
  options: {
    once: { type: 'boolean', default: false },
    gate: { type: 'string' },
    tocsin: { type: 'string', default: 'http://127.0.0.1:18083' },
    harness: { type: 'string' },
    adapter: { type: 'string' },
    cpu: { type: 'string', default: process.env.LOADGEN_CPU || '1' },
  },
});
const tocsin = new URL(opt.tocsin);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(tocsin.hostname)) throw new Error('loopback only');
const wsUrl = `ws://${tocsin.host}/ws`;

const LOADS = [
  ['--scenario', 'connect', '-n', '1000', '--duration', '1'],
  ['--scenario', 'fanout', '-n', '1000', '--rate', '0', '--warmup', '0', '--duration', '10'],
  // Open loop below what Tocsin sustains here (about 30 alerts/s to 1,000 subscribers), so that
  // no backlog of publications is still being stored and fanned out when the measured run starts.
  ['--scenario', 'fanout', '-n', '1000', '--rate', '30', '--warmup', '0', '--duration', '5'],
  ['--scenario', 'echo', '-n', '100', '--warmup', '0', '--duration', '5'],
];

function run(args) {
  return new Promise((resolve) => {
    const child = spawn('taskset', ['-c', opt.cpu, process.execPath, path.join(opt.harness, 'loadgen.js'), ...args,
      '--adapter', opt.adapter, '--url', wsUrl, '--publish-url', `${tocsin.origin}/api/alerts`], { stdio: 'ignore' });
    child.on('exit', resolve);
    child.on('error', resolve);
  });
}

async function warm() {
  const started = Date.now();
  for (const load of LOADS) await run(load);
  await settled();
  process.stderr.write(`warm-up of ${tocsin.origin} took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

// Waits (at most 60 s) until no warm-up connection is left and no publication arrived for 2 s,
// so that nothing of the warm-up reaches the measured run.
async function settled() {
  let last = null;
  let quiet = 0;
  for (let i = 0; i < 120 && quiet < 4; i++) {
    const published = await metric(tocsin.origin, 'tocsin_alerts_published_total');
    const connections = await metric(tocsin.origin, 'tocsin_connections');
    quiet = published !== null && published === last && connections === 0 ? quiet + 1 : 0;
    last = published;
    await new Promise((r) => setTimeout(r, 500));
  }
}

// When the JVM serving Tocsin now started (epoch ms, to the second), or null if it is not up.
async function instanceStart() {
  if (!(await get(`${tocsin.origin}/api/keys`))) return null;
  const uptime = await metric(tocsin.origin, 'jvm_uptime_seconds', 'base');
  return uptime === null ? null : Math.round((Date.now() - uptime * 1000) / 1000);
}

if (opt.once) {
  warm().then(() => process.exit(0));
} else {
  let warmed = null; // start time of the instance warmed last
  let warming = null;
  http.createServer(async (req, res) => {
    const start = await instanceStart();
    let ready = false;
    if (start !== null) {
      if (warmed !== null && Math.abs(start - warmed) <= 2) ready = true;
      else if (!warming) warming = warm().then(() => { warmed = start; warming = null; });
    }
    res.writeHead(ready ? 200 : 503).end(ready ? 'warm\n' : 'not yet\n');
  }).listen(Number(opt.gate), '127.0.0.1');
}
