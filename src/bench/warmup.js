#!/usr/bin/env node
'use strict';
// Warms a freshly started Tocsin before it is measured. A JVM compiles its hot paths under load,
// and on the benchmark's one server core its JIT compiler keeps at it for minutes, so a cold
// Payara measures its compiler, not Tocsin (docs/performance.md, "Warm-up"). A Node server warms
// up in a fraction of a second. Production servers run for weeks.
//
//   node warmup.js --once  --tocsin URL --harness DIR --adapter FILE
//       warms the running instance, then exits
//   node warmup.js --gate PORT --tocsin URL --harness DIR --adapter FILE
//       serves GET /ready: 503 until the Tocsin instance running now has been warmed, then 200.
//       The harness polls it (PEER_X_READY) after starting each fresh server, so every run
//       starts warm. A new instance is told apart by its JVM start time (/metrics, base scope).
//
// The warm-up load comes from the harness's own load generator, pinned to the load generator's
// CPU, and is over before the harness's quiet-wait and measured run begin. Rounds of it start
// until the JVM's JIT compiler threads took less than --jit-quiet of the server's CPU during one
// round (read from /proc), or --max-warmup seconds have passed. During the warm-up only, the
// compiler threads may also run on the load generator's CPU, which clears their backlog sooner;
// they are pinned back to the server's CPUs before the warm-up ends.

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
  },
});
const tocsin = new URL(opt.tocsin);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(tocsin.hostname)) throw new Error('loopback only');
const wsUrl = `ws://${tocsin.host}/ws`;

const LOADS = [
  ['--scenario', 'connect', '-n', '1000', '--duration', '1'],
  ['--scenario', 'fanout', '-n', '1000', '--rate', '0', '--warmup', '0', '--duration', '10'],
  ['--scenario', 'fanout', '-n', '1000', '--rate', '30', '--warmup', '0', '--duration', '5'],
  // Open loop beyond what one core delivers, as fanout-1k-r100 is: publications pile up in the
  // pipelined HTTP connection, and that takes other paths through Grizzly, Jersey and the database.
  // Warmed without it, the compiler took 22-25% of the server's CPU during fanout-1k-r100, run after run.
  // settled() below waits until the backlog is stored and fanned out.
  ['--scenario', 'fanout', '-n', '1000', '--rate', '100', '--warmup', '0', '--duration', '5'],
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

const QUIET_SHARE = Number(opt['jit-quiet']);
const MAX_WARMUP_MS = Number(opt['max-warmup']) * 1000;
if (!(QUIET_SHARE >= 0 && MAX_WARMUP_MS >= 0)) throw new Error('--jit-quiet and --max-warmup take numbers');
// A thread's comm is cut to 15 characters: "C2 CompilerThread0" reads "C2 CompilerThre".
const COMPILER_THREAD = /^C\d CompilerThre/;

async function warm() {
  const started = Date.now();
  const pid = serverPid();
  if (!pid) log(`no payara-micro.jar process with --port ${tocsin.port} found: one round, JIT not watched`);
  const serverCpus = pid && affinity(pid);
  if (serverCpus) pinCompiler(pid, `${serverCpus},${opt.cpu}`);
  try {
    for (let round = 1; ; round++) {
      const before = pid && compilerTicks(pid);
      for (const load of LOADS) await run(load);
      await settled();
      const share = pid && compilerShare(before, compilerTicks(pid));
      log(`round ${round}: JIT compiler ${share == null ? '?' : (100 * share).toFixed(1)}% of the server's CPU, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      if (share == null || share < QUIET_SHARE || Date.now() - started >= MAX_WARMUP_MS) break;
    }
  } finally {
    if (serverCpus) pinCompiler(pid, serverCpus);
  }
}

function log(line) {
  process.stderr.write(`warm-up of ${tocsin.origin}, ${line}\n`);
}

// The Java process listening on Tocsin's port (deploy/micro.sh passes it as --port), or null.
function serverPid() {
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const args = read(`/proc/${pid}/cmdline`).split('\0');
    const i = args.indexOf('--port');
    if (args.some((a) => a.endsWith('payara-micro.jar')) && i >= 0 && args[i + 1] === tocsin.port) return pid;
  }
  return null;
}

// A /proc file's text, or '' once the process or thread is gone.
function read(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    return '';
  }
}

function tasks(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/task`);
  } catch (e) {
    return [];
  }
}

// The CPUs a process or thread may run on ("0", "0,1"), as taskset lists them, or null once it is gone.
function affinity(id) {
  try {
    return execFileSync('taskset', ['-c', '-p', String(id)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(': ').pop();
  } catch (e) {
    return null;
  }
}

function compilerThreads(pid) {
  return tasks(pid).filter((t) => COMPILER_THREAD.test(read(`/proc/${pid}/task/${t}/comm`)));
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

// CPU time (utime + stime, clock ticks) of the whole process (/proc/<pid>/stat counts ended
// threads too) and of each JIT compiler thread, or null once the process is gone.
function compilerTicks(pid) {
  const total = ticks(read(`/proc/${pid}/stat`));
  if (total === null) return null;
  const compiler = new Map();
  for (const task of compilerThreads(pid)) compiler.set(task, ticks(read(`/proc/${pid}/task/${task}/stat`)) || 0);
  return { total, compiler };
}

function ticks(stat) {
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

// The compiler threads' share of the process's CPU between two readings (a compiler thread that
// ended in between loses its last ticks, which can only make the share smaller), or null.
function compilerShare(before, after) {
  if (!before || !after || after.total <= before.total) return null;
  let compiler = 0;
  for (const [task, used] of after.compiler) compiler += used - (before.compiler.get(task) || 0);
  return compiler / (after.total - before.total);
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
  warm().then(() => process.exit(0), (e) => { log(`failed: ${e.message}`); process.exit(1); });
} else {
  let warmed = null; // start time of the instance warmed last
  let warming = null;
  http.createServer(async (req, res) => {
    let ready = false;
    // While warming, answer at once: the harness polls ten times a second, on the server's core.
    const start = warming ? null : await instanceStart();
    if (start !== null) {
      if (warmed !== null && Math.abs(start - warmed) <= 2) ready = true;
      else if (!warming) {
        warming = warm()
          .then(() => { warmed = start; }, (e) => log(`failed: ${e.message}`))
          .finally(() => { warming = null; });
      }
    }
    res.writeHead(ready ? 200 : 503).end(ready ? 'warm\n' : 'not yet\n');
  }).listen(Number(opt.gate), '127.0.0.1');
}
