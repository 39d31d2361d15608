// TocsinClient's behaviour against an in-memory fake of the server: handshake, resume by offset,
// de-duplication, signature failures, backoff, terminal close codes, heartbeat, queueing and
// token refresh. The fake signs with the demo key of docs/test-vectors.json. Run: node --test src/test/js/
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  base64urlDecode, base64urlEncode, hmacSignature, signedBytes, TocsinClient,
} from '../../main/webapp/tocsin.js';

const vectors = JSON.parse(await readFile(new URL('../../../docs/test-vectors.json', import.meta.url), 'utf8'));
const { kty, crv, x, d } = vectors.keys.ed25519['demo-2026-b'].privateJwk;
const signingKey = await crypto.subtle.importKey('jwk', { kty, crv, x, d }, { name: 'Ed25519' }, false, ['sign']);
const otherJwk = vectors.keys.ed25519['demo-2026-a'].privateJwk;
const otherKey = await crypto.subtle.importKey('jwk', { kty, crv, x: otherJwk.x, d: otherJwk.d }, { name: 'Ed25519' }, false, ['sign']);

/** Alerts per topic, sessions, and a WebSocket class whose instances talk to it. */
class FakeServer {
  log = new Map(); // topic -> [{id, offset, ...}]
  sockets = [];
  handshakes = [];
  received = [];
  answerPings = true;
  answerHandshakes = true;
  onOpen = null; // (socket) => called once the socket is open
  keyFetches = 0;
  tamper = null; // (frame) => frame to send instead, or null

  constructor() {
    const server = this;
    this.WebSocket = class FakeWebSocket {
      readyState = 0;
      constructor(url, protocol) {
        this.url = url;
        this.protocol = protocol;
        this.subscriptions = new Set();
        server.sockets.push(this);
        setTimeout(() => {
          if (this.readyState !== 0) return;
          this.readyState = 1;
          this.onopen?.({});
          server.onOpen?.(this);
        }, 1);
      }
      send(text) {
        if (this.readyState !== 1) throw new Error('not open');
        server.#onFrame(this, JSON.parse(text));
      }
      close() {
        this.readyState = 3;
      }
    };
    this.fetch = async () => {
      this.keyFetches++;
      return new Response(JSON.stringify(vectors.keys.ed25519.publicJwks), { status: 200 });
    };
  }

  get live() {
    return this.sockets.filter(s => s.readyState === 1);
  }

  async sign(frame, key = signingKey) {
    const withKid = { kid: 'demo-2026-b', ...frame };
    const s = base64urlEncode(await crypto.subtle.sign({ name: 'Ed25519' }, key, signedBytes(withKid)));
    return { ...withKid, s };
  }

  /** A reply to one connection after its welcome: authenticated with its session key, as the server does. */
  async pushReply(ws, frame) {
    const withKid = { ...frame, kid: 'session' };
    await this.push(ws, { ...withKid, s: await hmacSignature(withKid, ws.key) }, { raw: true });
  }

  async push(ws, frame, { raw = false, as = 'string' } = {}) {
    let signed = raw ? frame : await this.sign(frame);
    if (this.tamper) signed = this.tamper(signed) ?? signed;
    const text = JSON.stringify(signed);
    const data = as === 'string' ? text : as === 'blob' ? new Blob([text]) : new TextEncoder().encode(text).buffer;
    if (ws.readyState === 1) ws.onmessage?.({ data });
  }

  closeFromServer(ws, code, reason = '') {
    ws.readyState = 3;
    ws.onclose?.({ code, reason });
  }

  /** Stores an alert and sends it to every subscriber. */
  async publish(topic, title, severity = 'warning') {
    const alerts = this.log.get(topic) ?? [];
    this.log.set(topic, alerts);
    const alert = { id: 'a-' + topic + '-' + (alerts.length + 1), offset: alerts.length + 1, title, severity };
    alerts.push(alert);
    for (const ws of this.live.filter(s => s.subscriptions.has(topic))) await this.push(ws, alertFrame(topic, alert));
    return alert;
  }

  async #onFrame(ws, frame) {
    this.received.push(frame);
    if (frame.type === 'handshake') {
      if (!this.answerHandshakes) return;
      assert.equal(frame.kid, 'token');
      assert.equal(await hmacSignature(frame, frame.d.token), frame.s, 'handshake signed with the token');
      this.handshakes.push(frame.d.token);
      if (frame.d.token === 'bad') {
        await this.push(ws, reply('error', frame.id, { code: 'AUTHENTICATION_FAILED', message: 'token rejected', close: true }));
        this.closeFromServer(ws, 4501, 'AUTHENTICATION_FAILED');
        return;
      }
      ws.key = crypto.getRandomValues(new Uint8Array(32));
      await this.push(ws, reply('welcome', frame.id, {
        session: 's-' + this.sockets.length, key: base64urlEncode(ws.key), user: 'ada', groups: ['ops'],
        expiresAt: this.expiresAt ?? Date.now() + 3_600_000, versions: [1], heartbeatMs: 30000,
      }));
      return;
    }
    assert.equal(frame.kid, 'session');
    assert.equal(await hmacSignature(frame, ws.key), frame.s, frame.type + ' signed with the session key');
    if (frame.type === 'subscribe') {
      ws.subscriptions.add(frame.topic);
      const alerts = this.log.get(frame.topic) ?? [];
      const after = frame.d?.offset;
      await this.pushReply(ws, { ...reply('subscribed', frame.id, { latest: alerts.length, ...(after === undefined ? {} : { offset: after }) }), topic: frame.topic });
      if (after !== undefined) for (const a of alerts.filter(a => a.offset > after)) await this.push(ws, alertFrame(frame.topic, a));
    } else if (frame.type === 'ping') {
      if (this.answerPings) await this.pushReply(ws, reply('pong', frame.id, {}));
    } else if (frame.type === 'ack') {
      if (frame.d.kind === 'acknowledged') {
        for (const s of this.live) await this.push(s, acknowledgedFrame(frame.topic, frame.d.alertId));
      }
      await this.pushReply(ws, { ...reply('receipt', frame.id, { alertId: frame.d.alertId }), topic: frame.topic });
    }
  }
}

function reply(type, ref, d) {
  return { v: 1, type, id: crypto.randomUUID(), ts: Date.now(), d: ref ? { ...d, ref } : d };
}

function alertFrame(topic, a) {
  return { v: 1, type: 'alert', id: a.id, ts: Date.now(), topic, d: { offset: a.offset, severity: a.severity, title: a.title, publishedBy: 'pat' } };
}

function acknowledgedFrame(topic, alertId) {
  return { v: 1, type: 'acknowledged', id: 'acknowledged:' + alertId, ts: 1, topic, d: { alertId, by: 'ada', at: 1 } };
}

// Every client a test made is closed after it, passed or failed: a client left running keeps its
// timers, and node --test would hang on a failed test instead of reporting it.
const made = new Set();
afterEach(() => {
  for (const c of made) c.close('test over');
  made.clear();
});

function client(server, options = {}) {
  const c = new TocsinClient({
    url: 'ws://127.0.0.1:1/ws', keysUrl: 'http://127.0.0.1:1/api/keys', WebSocket: server.WebSocket, fetch: server.fetch,
    getToken: async () => 'tok-' + server.handshakes.length, backoffBaseMs: 10, backoffCapMs: 40, ...options,
  });
  made.add(c);
  c.events = [];
  for (const type of ['state', 'alert', 'acknowledged', 'error', 'tampered', 'subscribed', 'reset', 'welcome']) {
    c.on(type, detail => c.events.push({ ...detail, type }));
  }
  return c;
}

async function until(condition, what, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise(r => setTimeout(r, 2));
  }
}

const alertsOf = c => c.events.filter(e => e.type === 'alert');
const states = c => c.events.filter(e => e.type === 'state').map(e => e.state);

test('signs the handshake, subscribes, delivers alerts once each and resumes after a drop', async () => {
  const server = new FakeServer();
  await server.publish('alerts.db', 'old');
  const c = client(server, { topics: ['alerts.db'] });
  c.connect();
  await until(() => c.state === 'open', 'open');
  await until(() => c.events.some(e => e.type === 'subscribed'), 'subscribed');
  assert.equal(server.received.find(f => f.type === 'subscribe').d, undefined, 'no offset known: live only');
  assert.equal(c.lastOffset('alerts.db'), 1, 'live subscription starts at latest');
  await server.publish('alerts.db', 'one');
  const two = await server.publish('alerts.db', 'two');
  await server.push(server.live[0], alertFrame('alerts.db', two)); // a duplicate
  await until(() => alertsOf(c).length === 2, 'two alerts');
  assert.equal(c.lastOffset('alerts.db'), 3);

  server.closeFromServer(server.live[0], 1001, 'restarting');
  await server.publish('alerts.db', 'while away 1');
  await server.publish('alerts.db', 'while away 2');
  await until(() => alertsOf(c).length === 4, 'the missed alerts');
  const resume = server.received.filter(f => f.type === 'subscribe').at(-1);
  assert.deepEqual(resume.d, { offset: 3 });
  assert.deepEqual(alertsOf(c).map(a => a.title), ['one', 'two', 'while away 1', 'while away 2']);
  assert.ok(states(c).includes('reconnecting'));
  c.close();
  assert.equal(c.state, 'closed');
});

test('frames arriving as Blob or ArrayBuffer are read like text', async () => {
  const server = new FakeServer();
  const c = client(server, { topics: ['alerts.bin'] });
  c.connect();
  await until(() => c.events.some(e => e.type === 'subscribed'), 'subscribed');
  const ws = server.live[0];
  await server.push(ws, alertFrame('alerts.bin', { id: 'b1', offset: 1, title: 'as blob', severity: 'info' }), { as: 'blob' });
  await server.push(ws, alertFrame('alerts.bin', { id: 'b2', offset: 2, title: 'as buffer', severity: 'info' }), { as: 'buffer' });
  await until(() => alertsOf(c).length === 2, 'two alerts');
  assert.deepEqual(alertsOf(c).map(a => a.title), ['as blob', 'as buffer']);
  c.close();
});

test('a frame whose signature fails is reported, not delivered, and fetched again from the last verified offset', async () => {
  const server = new FakeServer();
  const c = client(server, { topics: ['alerts.sig'] });
  c.connect();
  await until(() => c.events.some(e => e.type === 'subscribed'), 'subscribed');
  await server.publish('alerts.sig', 'genuine 1');
  let tampered = 0;
  server.tamper = frame => {
    if (frame.type !== 'alert' || frame.d.title !== 'genuine 2' || tampered++ > 0) return null;
    return { ...frame, d: { ...frame.d, title: 'forged' } };
  };
  await server.publish('alerts.sig', 'genuine 2');
  await until(() => alertsOf(c).length === 2, 'the genuine alert, replayed');
  const report = c.events.find(e => e.type === 'tampered');
  assert.match(report.reason, /signature does not match/);
  assert.equal(report.frameType, 'alert');
  assert.deepEqual(alertsOf(c).map(a => a.title), ['genuine 1', 'genuine 2']);
  assert.deepEqual(server.received.filter(f => f.type === 'subscribe').at(-1).d, { offset: 1 });
  c.close();
});

test('a frame signed by a key the server does not publish is refused after one refetch of the keys', async () => {
  const server = new FakeServer();
  const c = client(server, { topics: ['alerts.kid'] });
  c.connect();
  await until(() => c.events.some(e => e.type === 'subscribed'), 'subscribed');
  const fetchesBefore = server.keyFetches;
  const forged = await server.sign({ ...alertFrame('alerts.kid', { id: 'k1', offset: 1, title: 'x', severity: 'info' }), kid: 'demo-2099-z' }, otherKey);
  await server.push(server.live[0], forged, { raw: true });
  await until(() => c.events.some(e => e.type === 'tampered'), 'tampered');
  assert.match(c.events.find(e => e.type === 'tampered').reason, /unknown key id/);
  assert.equal(server.keyFetches, fetchesBefore + 1);
  assert.equal(alertsOf(c).length, 0);
  c.close();
});

test('replies authenticated with the session key are accepted, and refused under another key or before the welcome', async () => {
  const server = new FakeServer();
  const c = client(server, { topics: ['alerts.hmac'] });
  c.connect();
  await until(() => c.events.some(e => e.type === 'subscribed'), 'subscribed: a session-key reply accepted');
  assert.equal(c.events.filter(e => e.type === 'tampered').length, 0);

  const ws = server.live[0];
  const genuineKey = ws.key;
  ws.key = crypto.getRandomValues(new Uint8Array(32));
  await server.pushReply(ws, { ...reply('subscribed', 'x-1', { latest: 0 }), topic: 'alerts.hmac' });
  await until(() => c.events.some(e => e.type === 'tampered'), 'tampered');
  const report = c.events.find(e => e.type === 'tampered');
  assert.match(report.reason, /signature does not match/);
  assert.equal(report.kid, 'session');
  assert.notDeepEqual(ws.key, genuineKey);
  c.close();

  const early = new FakeServer();
  early.answerHandshakes = false;
  early.onOpen = async socket => {
    socket.key = crypto.getRandomValues(new Uint8Array(32));
    await early.pushReply(socket, reply('welcome', 'h-0', { session: 's', key: base64urlEncode(socket.key) }));
  };
  const d = client(early);
  d.connect();
  await until(() => d.events.some(e => e.type === 'tampered'), 'a session-signed frame before any welcome refused');
  assert.match(d.events.find(e => e.type === 'tampered').reason, /before the welcome/);
  d.close();
});

test('a terminal close code stops the client and says why', async () => {
  const server = new FakeServer();
  const c = client(server, { getToken: async () => 'bad' });
  c.connect();
  await until(() => c.state === 'closed', 'closed');
  const closed = c.events.filter(e => e.type === 'state').at(-1);
  assert.equal(closed.code, 4501);
  assert.match(closed.reason, /authentication failed: token rejected/);
  assert.equal(c.events.find(e => e.type === 'error').code, 'AUTHENTICATION_FAILED');
  await new Promise(r => setTimeout(r, 100));
  assert.equal(server.sockets.length, 1, 'no reconnect');
});

test('reconnect delays use full jitter under an exponentially growing, capped ceiling', async () => {
  const server = new FakeServer();
  server.WebSocket = class { constructor() { throw new Error('refused'); } };
  const c = client(server, { random: () => 0.999, backoffBaseMs: 4, backoffCapMs: 40 });
  c.connect();
  await until(() => c.events.filter(e => e.state === 'reconnecting').length >= 6, 'six retries');
  c.close();
  const delays = c.events.filter(e => e.state === 'reconnecting').map(e => e.delay);
  assert.deepEqual(delays.slice(0, 6), [3, 7, 15, 31, 39, 39]);
});

test('a missing pong within the timeout closes the connection and reconnects', async () => {
  const server = new FakeServer();
  server.answerPings = false;
  const c = client(server, { heartbeatIntervalMs: 20, pongTimeoutMs: 30 });
  c.connect();
  await until(() => server.sockets.length >= 2 && c.state === 'open', 'a second connection');
  const dropped = c.events.find(e => e.state === 'reconnecting');
  assert.match(dropped.reason, /no pong within 30 ms/);
  assert.equal(server.sockets[0].readyState, 3, 'the dead connection was closed');
  c.close();
});

test('answered pings keep the connection', async () => {
  const server = new FakeServer();
  const c = client(server, { heartbeatIntervalMs: 10, pongTimeoutMs: 30 });
  c.connect();
  await until(() => server.received.filter(f => f.type === 'ping').length >= 5, 'five pings');
  assert.equal(server.sockets.length, 1);
  c.close();
});

test('sends made while disconnected are queued, bounded, and flushed after welcome', async () => {
  const server = new FakeServer();
  const c = client(server, { topics: ['alerts.q'], maxQueue: 2 });
  const first = c.acknowledge('a-alerts.q-1', 'alerts.q');
  const second = c.acknowledge('a-alerts.q-2', 'alerts.q');
  await assert.rejects(c.acknowledge('a-alerts.q-3', 'alerts.q'), { code: 'QUEUE_FULL' });
  c.connect();
  assert.deepEqual(await first, { alertId: 'a-alerts.q-1', ref: server.received.find(f => f.type === 'ack').id });
  await second;
  const order = server.received.map(f => f.type);
  assert.deepEqual(order, ['handshake', 'subscribe', 'ack', 'ack'], 'subscriptions first, then the queue');
  assert.equal(server.received[2].d.kind, 'acknowledged');
  await until(() => c.events.filter(e => e.type === 'acknowledged').length === 2, 'acknowledged events');
  c.close();
});

test('an acknowledgement sent live and again with a replay of its alert is reported once', async () => {
  const server = new FakeServer();
  const c = client(server, { topics: ['alerts.r'] });
  c.connect();
  await until(() => server.live.some(s => s.subscriptions.has('alerts.r')), 'the subscription');
  const first = await server.publish('alerts.r', 'one');
  const ws = server.live[0];
  await server.push(ws, acknowledgedFrame('alerts.r', first.id));
  await server.push(ws, acknowledgedFrame('alerts.r', first.id));
  await server.push(ws, { ...acknowledgedFrame('alerts.r', 'a-other'), d: { alertId: 'a-other', by: 'bo', at: 2 } });
  await until(() => c.events.some(e => e.type === 'acknowledged' && e.alertId === 'a-other'), 'the other acknowledgement');
  assert.deepEqual(c.events.filter(e => e.type === 'acknowledged').map(e => e.alertId), [first.id, 'a-other']);
});

test('the token is refreshed before it expires by reconnecting and resuming', async () => {
  const server = new FakeServer();
  server.expiresAt = Date.now() + 1500; // refreshed a fifth of the lifetime early, once a second at most
  const reasons = [];
  const c = client(server, {
    topics: ['alerts.t'],
    getToken: async ({ reason }) => {
      reasons.push(reason);
      return 'tok-' + reasons.length;
    },
  });
  c.connect();
  await until(() => c.events.some(e => e.type === 'subscribed'), 'subscribed');
  await server.publish('alerts.t', 'before');
  server.expiresAt = Date.now() + 3_600_000;
  await until(() => server.handshakes.length === 2 && c.state === 'open', 'a second handshake', 5000);
  assert.deepEqual(reasons, ['connect', 'refresh']);
  assert.deepEqual(server.handshakes, ['tok-1', 'tok-2']);
  await until(() => server.received.filter(f => f.type === 'subscribe').length === 2, 'resubscribed');
  assert.deepEqual(server.received.filter(f => f.type === 'subscribe').at(-1).d, { offset: 1 });
  c.close();
});

test('offsets are kept in the storage given, and resumed from there', async () => {
  const server = new FakeServer();
  const storage = new Map();
  const store = { getItem: k => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v) };
  const c = client(server, { topics: ['alerts.s'], storage: store });
  c.connect();
  await until(() => c.events.some(e => e.type === 'subscribed'), 'subscribed');
  await server.publish('alerts.s', 'one');
  await until(() => alertsOf(c).length === 1, 'an alert');
  c.close();
  assert.deepEqual(JSON.parse(storage.get('tocsin.offsets')), { 'alerts.s': 1 });
  await server.publish('alerts.s', 'two');
  const again = client(server, { topics: ['alerts.s'], storage: store });
  again.connect();
  await until(() => alertsOf(again).length === 1, 'the alert published in between');
  assert.equal(alertsOf(again)[0].title, 'two');
  again.close();
});
