#!/usr/bin/env node
'use strict';
// Measurements the harness's case matrix does not make, against one running, warmed Tocsin:
//
//   hold-19k   19,000 connections (handshake + subscribe) held by one Payara Micro (the fd limit
//              here is 20,000), with the live heap after a full GC before and while they are held
//              (2 s after the last one connected, so that it has settled: HeartbeatMonitor)
//   sign-10    serialising + signing cost per alert with 10 subscribers   (tocsin_alerts_framing
//   sign-10k   ... and with 10,000 subscribers                             timer, /metrics)
//
//   node extras.js --harness DIR --adapter FILE --tocsin URL --pid PID >> extra.jsonl
//
// Prints one JSON line per measurement in the harness's format (peer, case, ok, key), so that
// targets.js reads them beside the harness's own results.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, execFileSync } = require('child_process');
const { parseArgs } = require('util');
const { metric: tocsinMetric } = require('./tocsin-http');

const { values: opt } = parseArgs({
  options: {
    harness: { type: 'string' },
    adapter: { type: 'string' },
    tocsin: { type: 'string', default: 'http://127.0.0.1:18083' },
    pid: { type: 'string' },
    cpu: { type: 'string', default: process.env.LOADGEN_CPU || '1' },
    hold: { type: 'string', default: '19000' },
  },
});
const tocsin = new URL(opt.tocsin);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(tocsin.hostname)) throw new Error('loopback only');

function loadgen(args) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn('taskset', ['-c', opt.cpu, process.execPath, path.join(opt.harness, 'loadgen.js'), ...args,
      '--adapter', opt.adapter, '--url', `ws://${tocsin.host}/ws`, '--publish-url', `${tocsin.origin}/api/alerts`,
      '--server-pid', opt.pid], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        resolve(null);
      }
    });
  });
}

// A metric's value now, 0 while Tocsin has not created it.
const metric = async (name) => (await tocsinMetric(tocsin.origin, name)) ?? 0;

// Live heap (KiB) after a full collection: what the held connections really keep.
function liveHeapKiB() {
  execFileSync('jcmd', [opt.pid, 'GC.run'], { stdio: 'ignore' });
  const info = execFileSync('jcmd', [opt.pid, 'GC.heap_info'], { encoding: 'utf8' });
  // The generations' (or the whole heap's) "total …K, used …K" lines, not their spaces or metaspace.
  const used = [...info.matchAll(/total \d+K, used (\d+)K/g)].map((m) => Number(m[1]));
  return used.length ? used.reduce((a, b) => a + b, 0) : null;
}

// The heap limit the server runs with (-Xmx, or the JVM's default), in MiB.
function maxHeapMiB() {
  try {
    const max = /MaxHeapSize=(\d+)/.exec(execFileSync('jcmd', [opt.pid, 'VM.flags'], { encoding: 'utf8' }));
    return max ? Math.round(Number(max[1]) / 1024 / 1024) : null;
  } catch {
    return null; // the server is gone: the hold's own figures still count
  }
}

const line = (kase, key, extra = {}) =>
  console.log(JSON.stringify({ tool: 'tocsin-extras', peer: 'tocsin', case: kase, ok: true, key, ...extra }));

const SETTLED_MS = 2000;

async function hold() {
  const n = Number(opt.hold);
  const before = liveHeapKiB();
  const run = loadgen(['--scenario', 'connect', '-n', String(n), '--workers', '2', '--duration', '20',
    '--connect-timeout', '30', '--peer', 'tocsin', '--case', `hold-${n / 1000}k`]);
  let held = null;
  let connections = 0;
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) { // until every connection is up (then the load generator holds them 20 s)
    connections = await metric('tocsin_connections');
    if (connections >= n) {
      // Idle: measured once the newest connections have settled too (the heartbeat lets a
      // connection drop what only its opening needed a second after it opened).
      await new Promise((resolve) => setTimeout(resolve, SETTLED_MS));
      held = liveHeapKiB();
      break;
    }
    const done = await Promise.race([run.then(() => true), new Promise((r) => setTimeout(() => r(false), 1000))]);
    if (done) break;
  }
  const r = await run;
  const key = r && r.key ? { ...r.key } : { established: connections };
  key.liveHeapBeforeMiB = before && Math.round(before / 1024);
  key.liveHeapHeldMiB = held && Math.round(held / 1024);
  key.liveHeapKiBPerConn = held && before ? Number(((held - before) / n).toFixed(2)) : null;
  key.maxHeapMiB = maxHeapMiB();
  line(`hold-${n / 1000}k`, key);
}

// Bytes allocated by all the server's Java threads over `seconds` (JFR's per-thread totals).
async function allocatedOver(seconds) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-alloc-'));
  const settings = path.join(dir, 'alloc.jfc');
  fs.writeFileSync(settings, '<?xml version="1.0"?><configuration version="2.0"><event name="jdk.ThreadAllocationStatistics">'
    + '<setting name="enabled">true</setting><setting name="period">1 s</setting></event></configuration>');
  const recording = path.join(dir, 'alloc.jfr');
  execFileSync('jcmd', [opt.pid, 'JFR.start', 'name=tocsin-alloc', `settings=${settings}`, `filename=${recording}`], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  execFileSync('jcmd', [opt.pid, 'JFR.stop', 'name=tocsin-alloc'], { stdio: 'ignore' });
  const events = JSON.parse(execFileSync('jfr', ['print', '--json', '--events', 'jdk.ThreadAllocationStatistics', recording],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })).recording.events;
  fs.rmSync(dir, { recursive: true, force: true });
  const byThread = new Map();
  for (const e of events) {
    const id = e.values.thread ? e.values.thread.javaThreadId : null;
    const seen = byThread.get(id) || { min: Infinity, max: -Infinity };
    seen.min = Math.min(seen.min, e.values.allocated);
    seen.max = Math.max(seen.max, e.values.allocated);
    byThread.set(id, seen);
  }
  let bytes = 0;
  for (const t of byThread.values()) bytes += t.max - t.min;
  return bytes;
}

async function signing(subscribers) {
  const count0 = await metric('tocsin_alerts_framing_seconds_count');
  const sum0 = await metric('tocsin_alerts_framing_seconds_sum');
  // 10 alerts/s to 10 subscribers, 2/s to 10,000 (20,000 deliveries/s, within what one core delivers:
  // at 10/s the publisher fell behind, and the alerts it had not yet had acknowledged when the
  // harness stopped waiting were counted as lost).
  const rate = subscribers > 1000 ? '2' : '10';
  const run = loadgen(['--scenario', 'fanout', '-n', String(subscribers), '--rate', rate, '--duration', '10',
    '--workers', subscribers > 5000 ? '2' : '1']);
  // Allocation while the alerts flow: from once every subscriber is connected, for 7 s of the 12 s
  // of publishing, per frame queued to a connection in that time. (The framing timer counts the
  // publishing thread's CPU time, so the recording's own work on the core does not inflate it.)
  let allocationPerDelivery = null;
  while ((await metric('tocsin_connections')) < subscribers) {
    if (await Promise.race([run.then(() => true), new Promise((r) => setTimeout(() => r(false), 200))])) break;
  }
  const enqueued0 = await metric('tocsin_alerts_enqueued_total');
  const bytes = await allocatedOver(7);
  const enqueued = (await metric('tocsin_alerts_enqueued_total')) - enqueued0;
  if (enqueued > 0) allocationPerDelivery = Math.round(bytes / enqueued);
  const r = await run;
  const alerts = (await metric('tocsin_alerts_framing_seconds_count')) - count0;
  const seconds = (await metric('tocsin_alerts_framing_seconds_sum')) - sum0;
  line(subscribers >= 1000 ? `sign-${subscribers / 1000}k` : `sign-${subscribers}`, {
    subscribers,
    alerts,
    framingUsPerAlert: alerts ? Number(((seconds / alerts) * 1e6).toFixed(1)) : null,
    serverCpuUsPerDelivery: r && r.key ? r.key.serverCpuUsPerDelivery : null,
    allocatedBytesPerDelivery: allocationPerDelivery,
    lost: r && r.key ? r.key.lost : null,
  });
}

(async () => {
  await signing(10);
  await signing(10_000);
  await hold();
})();
