// Each Tocsin fan-out and connect run of a benchmark beside what else its server did in the run's window:
// the collector's pauses and the JIT compiler's share of the server's CPU, read from the server
// log that tocsin-server.sh writes for every case and repetition.
//
//   node src/bench/windows.js target/bench/<time>
//
// A run whose compiler took more than a few percent measured the compiler as much as Tocsin.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node src/bench/windows.js <results directory>');
  process.exit(2);
}
const MARGIN_MS = 1000;
const SLACK_MS = 3000;
const LINE = /^\[(\d{4}-\d\d-\d\dT[\d:.]+)\+0000\]\S*\s+(?:GC\(\d+\) Pause (Young|Full).* ([\d.]+)ms|jit-ticks (\d+) process-ticks (\d+))/;

function events(log) {
  const found = [];
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const at = Date.parse(m[1] + 'Z');
    if (m[2]) found.push({ at, pause: m[2], ms: Number(m[3]) });
    else found.push({ at, jit: Number(m[4]), all: Number(m[5]) });
  }
  return found;
}

// The span of a run in which its figures were taken, as [from, to] in ms since the epoch, or null.
// Fan-out: the measured time and the drain, and a second more, up to when the result was written.
// Connect: the connecting, which ended the hold and the closing before the result was written (the
// closing is not timed: the window reaches SLACK_MS further back, into the idle time before).
function windowOf(run) {
  const end = Date.parse(run.ts);
  if (run.scenario === 'fanout') {
    return [end - (run.params.durationSec * 1000 + (run.result.drainMs || 0) + MARGIN_MS), end];
  }
  if (run.scenario === 'connect' && run.result.connect) {
    const connected = end - run.params.durationSec * 1000;
    return [connected - run.result.connect.seconds * 1000 - SLACK_MS, connected];
  }
  return null;
}

function figures(run) {
  const k = run.key;
  return run.scenario === 'fanout'
    ? `${k.serverCpuUsPerDelivery} µs per delivery, p50 ${k.latP50Ms} p99 ${k.latP99Ms} ms`
    : `${k.serverCpuMsPerConn} ms per connection, handshake p50 ${k.handshakeP50Ms} p99 ${k.handshakeP99Ms} ms`;
}

const results = path.join(dir, 'results.jsonl');
if (!fs.existsSync(results)) { // SKIP_HARNESS=1: only the extras ran
  console.log('(no harness runs here)');
  process.exit(0);
}
const lines = [];
for (const text of fs.readFileSync(results, 'utf8').split('\n')) {
  if (!text.trim()) continue;
  const run = JSON.parse(text);
  if (run.peer !== 'tocsin' || !run.key) continue;
  const span = windowOf(run);
  const log = path.join(dir, `server-tocsin-${run.case}-${run.rep}.log`);
  if (!span || !fs.existsSync(log)) continue;
  const inWindow = events(log).filter((e) => e.at > span[0] && e.at <= span[1]);
  const young = inWindow.filter((e) => e.pause === 'Young').map((e) => e.ms);
  const full = inWindow.filter((e) => e.pause === 'Full').map((e) => e.ms);
  const samples = inWindow.filter((e) => e.jit !== undefined);
  let jit = 'JIT not logged';
  if (samples.length >= 2) {
    const first = samples[0];
    const last = samples[samples.length - 1];
    const all = last.all - first.all;
    jit = `JIT ${all > 0 ? (100 * (last.jit - first.jit) / all).toFixed(1) : '0.0'}% of the server's CPU`;
  }
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  lines.push(`${run.case} rep ${run.rep}: ${figures(run)};`
    + ` ${jit};`
    + ` young pauses ${young.length} (${young.length ? Math.round(Math.min(...young)) + '-' + Math.round(Math.max(...young)) : '0'} ms, ${Math.round(sum(young))} ms in all);`
    + ` full ${full.length ? full.map((ms) => Math.round(ms) + ' ms').join(', ') : 'none'}`);
}
console.log(lines.length ? lines.join('\n') : 'no Tocsin fan-out or connect run with a server log here');
