#!/usr/bin/env node
'use strict';
// Tocsin's performance targets (issue 5, docs/performance.md), judged from the harness's JSON
// lines of one benchmark run: medians per peer and case, ratios to the `ws` peer of the same run.
//
//   node targets.js results.jsonl [extra.jsonl]
//
// Prints a Markdown table: target, case, Tocsin, ws, Socket.IO, ratio, goal, verdict.

const fs = require('fs');

const records = [];
for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) continue;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line);
      if (r.ok !== false && r.key) records.push(r);
    } catch {
      /* a partial line */
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
function stat(peer, kase, metric) {
  const xs = records.filter((r) => r.peer === peer && r.case === kase).map((r) => r.key[metric])
    .filter((x) => typeof x === 'number' && Number.isFinite(x));
  return xs.length ? { med: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length } : null;
}
const fmt = (x) => (x == null ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2 }));
const cell = (s) => (!s ? '-' : s.n === 1 ? fmt(s.med) : `${fmt(s.med)} [${fmt(s.min)}–${fmt(s.max)}]`);

const rows = [];
let met = 0;
let missed = 0;
function judge(target, kase, metric, goal) {
  const t = stat('tocsin', kase, metric);
  const w = stat('ws', kase, metric);
  const s = stat('socketio', kase, metric);
  let ratio = null;
  let verdict = 'not measured';
  if (t) {
    const ok = goal.check(t.med, w && w.med, s && s.med);
    if (ok !== null) {
      verdict = ok ? 'met' : 'NOT MET';
      ok ? met++ : missed++;
    }
    if (w && w.med) ratio = t.med / w.med;
  }
  rows.push(`| ${target} | ${kase} | ${cell(t)} | ${cell(w)} | ${cell(s)} | ${ratio == null ? '-' : ratio.toFixed(2) + '×'} | ${goal.text} | ${verdict} |`);
}

const atMostWs = (factor) => ({
  text: `≤ ${factor}× ws`,
  check: (t, w) => (w == null ? null : t <= factor * w),
});
const atMost = (limit, unit) => ({ text: `≤ ${limit} ${unit}`, check: (t) => t <= limit });
const atLeast = (limit) => ({ text: `≥ ${limit.toLocaleString('en-US')}`, check: (t) => t >= limit });
const lowerThanSocketIo = { text: '< Socket.IO', check: (t, w, s) => (s == null ? null : t < s) };
// At least as high: an open-loop rate that both reach (the offered rate) is a tie, not a loss.
const higherThanSocketIo = { text: '≥ Socket.IO', check: (t, w, s) => (s == null ? null : t >= s) };
const none = { text: '= 0', check: (t) => t === 0 };

for (const c of ['fanout-1k-r100', 'fanout-1k-max', 'fanout-10k-r10']) judge('server CPU µs per delivery', c, 'serverCpuUsPerDelivery', atMostWs(0.8));
judge('latency p99 (ms), closed loop', 'fanout-1k-max', 'latP99Ms', atMostWs(1));
judge('idle memory KiB per connection', 'connect-10k', 'serverKiBPerConn', atMost(20, 'KiB'));
judge('idle memory: live heap KiB per held connection', 'hold-19k', 'liveHeapKiBPerConn', atMost(20, 'KiB'));
judge('idle memory: RSS KiB per held connection', 'hold-19k', 'serverKiBPerConn', atMost(20, 'KiB'));
judge('connections held by one server', 'hold-19k', 'established', atLeast(19000));
judge('live heap with 19,000 held (MiB, -Xmx in JAVA_OPTS)', 'hold-19k', 'liveHeapHeldMiB', { text: 'bounded', check: () => null });
for (const c of ['connect-1k', 'connect-5k', 'connect-10k']) judge('set-up server CPU ms per connection', c, 'serverCpuMsPerConn', atMostWs(2));
judge('serialise + sign, CPU µs per alert, 10 subscribers', 'sign-10', 'framingUsPerAlert', { text: 'flat', check: () => null });
judge('serialise + sign, CPU µs per alert, 10,000 subscribers', 'sign-10k', 'framingUsPerAlert', {
  text: '≤ 1.5× the 10-subscriber figure',
  check: (t) => {
    const small = stat('tocsin', 'sign-10', 'framingUsPerAlert');
    return small ? t <= 1.5 * small.med : null;
  },
});

judge('bytes allocated per delivery (10,000 subscribers)', 'sign-10k', 'allocatedBytesPerDelivery', { text: 'reported', check: () => null });
for (const c of ['sign-10', 'sign-10k']) if (stat('tocsin', c, 'lost')) judge('correctness: lost', c, 'lost', { text: '= 0', check: (t) => t === 0 });
if (stat('tocsin', 'hold-19k', 'failed')) judge('correctness: failed', 'hold-19k', 'failed', { text: '= 0', check: (t) => t === 0 });

// Better than Socket.IO: every figure of merit of every harness case.
const LOWER = ['connectSec', 'handshakeP50Ms', 'handshakeP99Ms', 'serverRssHeldMiB', 'serverKiBPerConn', 'serverCpuMsPerConn',
  'latP50Ms', 'latP90Ms', 'latP99Ms', 'latMaxMs', 'serverCpuUsPerDelivery', 'serverRssMiB', 'rttP50Ms', 'rttP90Ms', 'rttP99Ms', 'rttMaxMs', 'serverCpuUsPerReq'];
const HIGHER = ['connPerSec', 'sentPerSec', 'deliveredPerSec', 'reqPerSec'];
const ZERO = ['failed', 'lost', 'outOfOrder', 'duplicated', 'errors'];
const cases = [...new Set(records.filter((r) => r.peer === 'socketio').map((r) => r.case))];
for (const c of cases) {
  for (const m of LOWER) if (stat('socketio', c, m)) judge(`vs Socket.IO: ${m}`, c, m, lowerThanSocketIo);
  for (const m of HIGHER) if (stat('socketio', c, m)) judge(`vs Socket.IO: ${m}`, c, m, higherThanSocketIo);
  for (const m of ZERO) if (stat('tocsin', c, m)) judge(`correctness: ${m}`, c, m, none);
}

console.log('| target | case | tocsin | ws | socketio | tocsin/ws | goal | verdict |');
console.log('|---|---|---:|---:|---:|---:|---|---|');
for (const r of rows) console.log(r);
console.log(`\n${met} met, ${missed} not met (median [min–max] over repetitions; ratios of medians)`);
