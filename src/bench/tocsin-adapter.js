'use strict';
// Tocsin adapter for the WebSocket load harness (../shared/bench, lib/adapters/index.js has the
// contract). It speaks protocol v1 as docs/protocol.md describes it: a handshake signed with the
// token, frames signed with the session key from `welcome`, receipts correlated by `d.ref`.
//
//   subscribe(t)   `subscribe` on the Tocsin topic for t (the harness's "alerts" is alerts.bench),
//                  resolves on `subscribed`
//   onMessage(fn)  fn(d.body) for every `alert` frame
//   publish(p)     `publish` {severity: info, title: "bench", body: p}, resolves on its `receipt`
//                  (sent once the alert is stored durably)
//   request(p)     signed `ping` carrying p, resolves with p on the matching `pong`
//   httpRequest(p) POST /api/alerts with a producer's bearer token (the harness's HTTP publisher)
//
// Tokens are minted here, ES256 with the DEMO issuer key of deploy/demo.properties (the server
// must run with that file), a few connections per user to stay under the per-user session limit.
// The adapter does not verify the server's Ed25519 signatures: that is client work, and the
// harness compares servers. The browser client and the integration tests verify every frame.

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const WebSocket = require('ws');

const DEMO_PROPERTIES = process.env.TOCSIN_BENCH_PROPERTIES || path.resolve(__dirname, '../../deploy/demo.properties');
const TOPIC_PREFIX = 'alerts.';
const BENCH_TOPIC = 'alerts.bench';
const CONNECTIONS_PER_USER = 8; // below tocsin.limits.sessions-per-user (20)

let canonicalize; // from the browser client, loaded once (it is an ES module)
const ready = import(path.resolve(__dirname, '../main/webapp/tocsin.js')).then((m) => (canonicalize = m.canonicalize));

function demoSettings() {
  const settings = {};
  for (const line of fs.readFileSync(DEMO_PROPERTIES, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && !line.startsWith('#')) settings[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return settings;
}

let issuer;
function tokenFor(subject, groups) {
  if (!issuer) {
    const settings = demoSettings();
    const jwk = JSON.parse(settings['tocsin.demo.issuer-jwk']);
    issuer = { key: crypto.createPrivateKey({ key: jwk, format: 'jwk' }), kid: jwk.kid, iss: settings['tocsin.jwt.issuer'] };
  }
  const now = Math.floor(Date.now() / 1000);
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = part({ alg: 'ES256', kid: issuer.kid }) + '.' +
    part({ sub: subject, iss: issuer.iss, iat: now, exp: now + 3600, jti: crypto.randomUUID(), groups });
  const signature = crypto.sign('sha256', Buffer.from(input), { key: issuer.key, dsaEncoding: 'ieee-p1363' });
  return input + '.' + signature.toString('base64url');
}

let connections = 0;
let subscriberToken = null;
function nextSubscriberToken() {
  if (connections++ % CONNECTIONS_PER_USER === 0) {
    subscriberToken = tokenFor(`bench-${process.pid}-${connections}`, []);
  }
  return subscriberToken;
}

let producerToken = null;
function tokenOfProducer() {
  return (producerToken ??= tokenFor(`bench-producer-${process.pid}`, ['producers']));
}

function topicOf(harnessTopic) {
  return !harnessTopic || harnessTopic === 'alerts' ? BENCH_TOPIC
    : harnessTopic.startsWith(TOPIC_PREFIX) ? harnessTopic : TOPIC_PREFIX + harnessTopic;
}

function sign(envelope, key) {
  envelope.s = crypto.createHmac('sha256', key).update(canonicalize(envelope), 'utf8').digest('base64url');
  return JSON.stringify(envelope);
}

let sequence = 0;
const nextId = () => `${process.pid}-${++sequence}`;

async function connect({ url, role = 'sub', localAddress, timeoutMs = 10000 }) {
  await ready;
  const token = role === 'pub' ? tokenOfProducer() : nextSubscriberToken();
  const ws = new WebSocket(url, { localAddress, perMessageDeflate: false, handshakeTimeout: timeoutMs });
  const pending = new Map(); // id -> {resolve, reject, value}
  let sessionKey = null;
  let onMessage = null;
  let onClose = null;
  let closing = false;

  const send = (type, topic, d) => {
    const id = nextId();
    const envelope = { v: 1, type, id, ts: Date.now(), kid: 'session' };
    if (topic) envelope.topic = topic;
    if (d) envelope.d = d;
    ws.send(sign(envelope, sessionKey));
    return id;
  };
  const call = (type, topic, d, value) => new Promise((resolve, reject) => {
    pending.set(send(type, topic, d), { resolve, reject, value });
  });

  ws.on('message', (data) => {
    const text = data.toString();
    if (text === 'pong') return;
    const frame = JSON.parse(text);
    if (frame.type === 'alert') {
      if (onMessage) onMessage(frame.d.body);
      return;
    }
    const ref = frame.d && frame.d.ref;
    const waiting = ref && pending.get(ref);
    if (!waiting) return;
    pending.delete(ref);
    if (frame.type === 'error') waiting.reject(new Error(`${frame.d.code}: ${frame.d.message}`));
    else waiting.resolve(waiting.value === undefined ? frame : waiting.value);
  });

  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('handshake timeout')); }, timeoutMs);
    ws.once('error', (err) => { clearTimeout(timer); reject(err); });
    ws.once('close', (code) => { clearTimeout(timer); reject(new Error(`closed (${code}) before welcome`)); });
    ws.once('open', () => {
      const id = nextId();
      pending.set(id, {
        resolve: (welcome) => { clearTimeout(timer); sessionKey = Buffer.from(welcome.d.key, 'base64url'); resolve(); },
        reject: (err) => { clearTimeout(timer); reject(err); },
      });
      ws.send(sign({ v: 1, type: 'handshake', id, ts: Date.now(), kid: 'token', d: { token } }, Buffer.from(token, 'utf8')));
    });
  });
  ws.removeAllListeners('error');
  ws.removeAllListeners('close');
  ws.on('error', () => {});
  ws.on('close', (code) => {
    for (const p of pending.values()) p.reject(new Error(`closed (${code})`));
    pending.clear();
    if (!closing && onClose) onClose(`close ${code}`);
  });

  return {
    subscribe: (topic) => call('subscribe', topicOf(topic), null),
    onMessage: (fn) => (onMessage = fn),
    onClose: (fn) => (onClose = fn),
    publish: (payload) => call('publish', BENCH_TOPIC, { severity: 'info', title: 'bench', body: payload }),
    request: (payload) => call('ping', null, { echo: payload }, payload),
    close: () => new Promise((resolve) => {
      closing = true;
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => ws.terminate(), 5000);
      ws.once('close', () => { clearTimeout(timer); resolve(); });
      ws.close(1000);
    }),
  };
}

// The harness's publisher pipelines POSTs on one connection and marks them idempotent, so undici
// sends them again on a new connection when the old one fails (its 10 s response timeout, in an
// overloaded run). As any producer that retries should, each carries an Idempotency-Key (the
// payload's phase and sequence number, unique per publisher process): a retry is answered with the
// first outcome instead of storing the alert a second time.
const PUBLISHER_RUN = crypto.randomUUID();
function httpRequest(payload) {
  const bar = payload.indexOf('|', 2);
  return {
    path: '/api/alerts',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${tokenOfProducer()}`,
      'idempotency-key': `${PUBLISHER_RUN}:${bar > 0 ? payload.slice(0, bar) : crypto.randomUUID()}`,
    },
    body: JSON.stringify({ topic: BENCH_TOPIC, severity: 'info', title: 'bench', body: payload }),
  };
}

module.exports = { name: 'tocsin', connect, httpRequest };
