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
// CPU, and is over before the harness's quiet-wait and measured run begin. It is repeated until
// the JVM's JIT compiler threads took less than --jit-quiet of the server's CPU during one round
// (read from /proc), or --max-warmup seconds have passed: on the benchmark's one server core the
// compiler keeps working for minutes of load (30-40% of the server's CPU in the first round, under
// 10% after six or seven, 3-4 minutes), and what it has not compiled yet is measured as Tocsin's
// cost: fanout-1k-max delivered 42,500 deliveries/s after one round, 60,000 after eight. During
// the warm-up only, the compiler threads may also run on the load generator's CPU (--jit-cpus),
// which clears the backlog sooner; they are pinned back to the server's CPUs before it ends.

const fs = require('fs');
const http = require('http');
const path = require('path');
const { execFileSync, spawn } = require('child_process');
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
    'jit-quiet': { type: 'string', default: '0.1' },
    'max-warmup': { type: 'string', default: '360' },
    'jit-cpus': { type: 'string', default: '0,1' },
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
  const pid = serverPid();
  const quietShare = Number(opt['jit-quiet']);
  const deadline = started + Number(opt['max-warmup']) * 1000;
  const serverCpus = pid && affinity(pid);
  if (pid) pinCompiler(pid, opt['jit-cpus']);
  try {
    await warmRounds(pid, started, quietShare, deadline);
  } finally {
    if (pid) pinCompiler(pid, serverCpus);
  }
}

async function warmRounds(pid, started, quietShare, deadline) {
  for (let round = 1; ; round++) {
    const before = pid && cpuTicks(pid);
    for (const load of LOADS) await run(load);
    await settled();
    const after = pid && cpuTicks(pid);
    const share = before && after ? (after.compiler - before.compiler) / Math.max(1, after.total - before.total) : null;
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    process.stderr.write(`warm-up of ${tocsin.origin}, round ${round}: JIT compiler ${share === null ? '?' : (100 * share).toFixed(1)}% of the server's CPU, ${seconds} s\n`);
    if (share === null || share < quietShare || Date.now() >= deadline) break;
  }
}

// The Java process listening on Tocsin's port (deploy/micro.sh passes it as --port), or null.
function serverPid() {
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const i = args.indexOf('--port');
      if (args.some((a) => a.endsWith('payara-micro.jar')) && i >= 0 && args[i + 1] === tocsin.port) return pid;
    } catch (e) {
      // the process ended while we looked
    }
  }
  return null;
}

// The CPUs a process or thread may run on ("0", "0,1"), as taskset lists them.
function affinity(id) {
  return execFileSync('taskset', ['-c', '-p', String(id)], { encoding: 'utf8' }).trim().split(': ').pop();
}

function compilerThreads(pid) {
  return fs.readdirSync(`/proc/${pid}/task`).filter((task) => {
    try {
      return /^C\d CompilerThre/.test(fs.readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8'));
    } catch (e) {
      return false;
    }
  });
}

function pinCompiler(pid, cpus) {
  for (const task of compilerThreads(pid)) {
    try {
      execFileSync('taskset', ['-c', '-p', cpus, task], { stdio: 'ignore' });
    } catch (e) {
      // the thread ended meanwhile
    }
  }
}

// CPU time (clock ticks) of the whole process and of its JIT compiler threads ("C1/C2 CompilerThre").
function cpuTicks(pid) {
  const ticks = { total: 0, compiler: 0 };
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const used = Number(fields[11]) + Number(fields[12]);
      ticks.total += used;
      if (/^C\d CompilerThre/.test(name)) ticks.compiler += used;
    } catch (e) {
      // the thread ended while we looked
    }
  }
  return ticks;
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
