/**
 * Tocsin browser client: live alerts over a WebSocket of signed envelopes (docs/protocol.md,
 * protocol version 1). One plain ES module, no dependencies, no build step. It touches no DOM
 * at module level, so Node (20+) can import it for tests.
 *
 * ```js
 * import { TocsinClient } from './tocsin.js';
 * const client = new TocsinClient({
 *   getToken: async () => (await (await fetch('api/demo/token', {...})).json()).token,
 *   topics: ['alerts.db.prod'],
 *   storage: localStorage,           // remember the last offset per topic across reloads
 * });
 * client.on('alert', alert => render(alert));
 * client.on('state', s => banner(s));
 * client.connect();
 * ```
 *
 * What it does for the application: derives the socket URL from the page, completes the signed
 * handshake, subscribes with resume offsets, verifies the Ed25519 signature of every server frame
 * (and reports, never delivers, one that fails), de-duplicates alerts, reconnects with backoff and
 * full jitter, detects dead connections with `ping`/`pong`, queues sends while disconnected and
 * reconnects with a fresh token before the current one expires.
 *
 * @module tocsin
 */

/** The protocol version this client speaks (the `v` of every frame). */
export const PROTOCOL_VERSION = 1;

/** The WebSocket subprotocol offered to the server. */
export const SUBPROTOCOL = 'tocsin.v1';

/** The `kid` of frames authenticated with the connection's session key, in both directions. */
export const SESSION_KID = 'session';

/** Alert severities, most severe first. */
export const SEVERITIES = Object.freeze(['critical', 'error', 'warning', 'info']);

/**
 * Close codes and what a client does about them (mirrors the server's CloseCode enum and the
 * table in docs/protocol.md). Codes not listed follow the ranges: 4000-4499 reconnect with
 * backoff, 4500-4999 stop until something changes.
 * @type {Readonly<Record<number, {reconnect: boolean, meaning: string}>>}
 */
export const CLOSE_CODES = Object.freeze({
  1000: { reconnect: true, meaning: 'closed normally' },
  1001: { reconnect: true, meaning: 'the server is shutting down or restarting' },
  1006: { reconnect: true, meaning: 'the connection dropped' },
  1009: { reconnect: true, meaning: 'a frame exceeded the server\'s hard size limit' },
  1011: { reconnect: true, meaning: 'the server hit an unexpected condition' },
  4000: { reconnect: true, meaning: 'heartbeat timeout' },
  4001: { reconnect: true, meaning: 'no handshake within the handshake timeout' },
  4002: { reconnect: true, meaning: 'the token expired' },
  4003: { reconnect: true, meaning: 'the client did not read fast enough' },
  4004: { reconnect: true, meaning: 'a write to the client failed' },
  4005: { reconnect: true, meaning: 'too many open connections for this user' },
  4501: { reconnect: false, meaning: 'authentication failed' },
  4502: { reconnect: false, meaning: 'unsupported protocol version' },
});

/** @param {number} code @returns {boolean} whether the code tells the client not to reconnect */
export function isTerminalCloseCode(code) {
  return code >= 4500 && code <= 4999;
}

/** @param {number} code @returns {string} a human description of a close code */
export function describeCloseCode(code) {
  const known = CLOSE_CODES[code];
  if (known) return known.meaning;
  if (isTerminalCloseCode(code)) return 'the server refused the connection';
  if (code >= 4000 && code <= 4499) return 'the server closed the connection';
  return 'the connection closed';
}

const TOPIC = /^[a-z0-9][a-z0-9_-]{0,63}(\.[a-z0-9][a-z0-9_-]{0,63}){0,7}$/;

/** @param {string} topic @returns {boolean} whether `topic` is a valid topic name */
export function isValidTopic(topic) {
  return typeof topic === 'string' && TOPIC.test(topic);
}

// ---------------------------------------------------------------------------------------------
// RFC 8785 canonical JSON

/**
 * Serialises a JSON value by RFC 8785 (JSON Canonicalization Scheme): no white space, object
 * members sorted by their names as UTF-16 code unit sequences (at every depth), strings with
 * JSON.stringify's minimal escaping, numbers as ECMAScript writes them (JSON.stringify of the
 * double). Members whose value is `undefined` are left out, as JSON.stringify does.
 *
 * @param {unknown} value a JSON value (the result of JSON.parse, or plain objects, arrays, strings, finite numbers, booleans, null)
 * @returns {string} the canonical text
 * @throws {TypeError} for values JSON cannot represent: non-finite numbers, lone surrogates, functions, symbols, bigints, non-plain objects
 */
export function canonicalize(value) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('JSON has no ' + value);
      return JSON.stringify(value); // ES Number::toString; -0 becomes 0
    case 'string':
      if (!value.isWellFormed?.() && LONE_SURROGATE.test(value)) {
        throw new TypeError('a string with a lone surrogate has no UTF-8 form');
      }
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) {
        return '[' + value.map(item => canonicalize(item === undefined ? null : item)).join(',') + ']';
      }
      if (!isPlainObject(value)) throw new TypeError('only plain objects can be canonicalized');
      return '{' + Object.keys(value)
        .filter(name => value[name] !== undefined)
        .sort(compareUtf16)
        .map(name => canonicalize(name) + ':' + canonicalize(value[name]))
        .join(',') + '}';
    default:
      throw new TypeError('JSON has no ' + typeof value);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** JavaScript's relational operators on strings compare UTF-16 code units, as RFC 8785 sorts. */
function compareUtf16(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const ENCODER = new TextEncoder();

/**
 * The bytes an envelope's signature covers: the UTF-8 of the canonical form of the envelope
 * without its `s` member (every other member, `kid` included, stays).
 * @param {object} envelope a parsed envelope
 * @returns {Uint8Array}
 */
export function signedBytes(envelope) {
  if (!isPlainObject(envelope)) throw new TypeError('an envelope is a JSON object');
  const { s, ...unsigned } = envelope; // eslint-disable-line no-unused-vars
  return ENCODER.encode(canonicalize(unsigned));
}

// ---------------------------------------------------------------------------------------------
// base64url

/** @param {Uint8Array|ArrayBuffer} bytes @returns {string} base64url without padding */
export function base64urlEncode(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (let i = 0; i < view.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, view.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * @param {string} text base64url, without padding
 * @returns {Uint8Array}
 * @throws {TypeError} if the text is not base64url
 */
export function base64urlDecode(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new TypeError('not base64url');
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Signatures (WebCrypto)

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new TocsinError('WEBCRYPTO_UNAVAILABLE',
      'WebCrypto is not available: serve the page over https (or from localhost)');
  }
  return s;
}

/**
 * Imports an HMAC-SHA256 key for signing client frames (and verifying the server's replies).
 * @param {Uint8Array|string} key the key bytes, or a string whose UTF-8 bytes are the key (the token, for the handshake)
 * @returns {Promise<CryptoKey>}
 */
export function importHmacKey(key) {
  const bytes = typeof key === 'string' ? ENCODER.encode(key) : key;
  return subtle().importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/**
 * Verifies a server reply authenticated with the session key (`kid: "session"`): the server's
 * frames to this connection alone after the welcome (subscribed, receipt, pong, error...). The
 * comparison is WebCrypto's, in constant time.
 * @param {object} envelope the parsed frame
 * @param {CryptoKey} sessionKey the key from the welcome, as {@link importHmacKey} returns it
 * @returns {Promise<boolean>}
 */
export async function verifySessionEnvelope(envelope, sessionKey) {
  if (!isPlainObject(envelope) || typeof envelope.s !== 'string') return false;
  try {
    const signature = base64urlDecode(envelope.s);
    return signature.length === 32 && await subtle().verify('HMAC', sessionKey, signature, signedBytes(envelope));
  } catch (e) {
    return false;
  }
}

/**
 * Computes a client frame's signature: base64url(HMAC-SHA256(key, signed bytes)).
 * @param {object} envelope the envelope, `kid` set; an `s` member is ignored
 * @param {CryptoKey|Uint8Array|string} key an HMAC key, or its bytes, or a token string
 * @returns {Promise<string>} the value of `s`
 */
export async function hmacSignature(envelope, key) {
  const cryptoKey = isCryptoKey(key) ? key : await importHmacKey(key);
  return base64urlEncode(await subtle().sign('HMAC', cryptoKey, signedBytes(envelope)));
}

/**
 * Returns a copy of the envelope with `s` set.
 * @param {object} envelope the envelope without `s`, `kid` set (`"token"` for the handshake, `"session"` after)
 * @param {CryptoKey|Uint8Array|string} key
 * @returns {Promise<object>}
 */
export async function signClientEnvelope(envelope, key) {
  return { ...envelope, s: await hmacSignature(envelope, key) };
}

function isCryptoKey(key) {
  return typeof CryptoKey !== 'undefined' && key instanceof CryptoKey;
}

/**
 * Imports the Ed25519 public keys of a JWK set (GET /api/keys) for verification. Members that
 * are not Ed25519 public keys with a `kid` are skipped.
 * @param {{keys: Array<{kty: string, crv: string, kid: string, x: string}>}} jwks
 * @returns {Promise<Map<string, CryptoKey>>} keys by kid
 */
export async function importServerKeys(jwks) {
  const keys = new Map();
  for (const jwk of Array.isArray(jwks?.keys) ? jwks.keys : []) {
    if (jwk?.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.kid !== 'string' || typeof jwk.x !== 'string') continue;
    try {
      const raw = base64urlDecode(jwk.x);
      if (raw.length !== 32) continue;
      keys.set(jwk.kid, await subtle().importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']));
    } catch (e) {
      if (e instanceof TocsinError) throw e;
      // an unusable key cannot verify anything: leave it out
    }
  }
  return keys;
}

// The order of the Ed25519 group, L = 2^252 + 27742317777372353535851937790883648493.
const ED25519_L = (1n << 252n) + 27742317777372353535851937790883648493n;

function scalarIsReduced(signature) {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]);
  return s < ED25519_L;
}

/**
 * Verifies a server frame's Ed25519 signature with the given public key: `s` must be the
 * base64url of 64 bytes, its scalar S reduced (RFC 8032 5.1.7, checked here as well as by
 * WebCrypto), and the signature valid over {@link signedBytes}.
 * @param {object} envelope the parsed frame
 * @param {CryptoKey} publicKey the Ed25519 key named by the frame's `kid`
 * @returns {Promise<boolean>}
 */
export async function verifyServerEnvelope(envelope, publicKey) {
  if (!isPlainObject(envelope) || typeof envelope.s !== 'string') return false;
  let signature;
  let bytes;
  try {
    signature = base64urlDecode(envelope.s);
    bytes = signedBytes(envelope);
  } catch (e) {
    return false;
  }
  if (signature.length !== 64 || !scalarIsReduced(signature)) return false;
  try {
    return await subtle().verify({ name: 'Ed25519' }, publicKey, signature, bytes);
  } catch (e) {
    return false;
  }
}

/**
 * The server's public signing keys, fetched from `/api/keys` and refetched once when a frame
 * names a `kid` the ring does not know (the server may have rotated keys since).
 */
export class ServerKeyRing {
  #url;
  #fetch;
  #keys = null;
  #loading = null;
  #refetchedFor = new Set();

  /**
   * @param {object} options
   * @param {string|URL} options.url where the JWK set is (`api/keys` next to the page)
   * @param {typeof fetch} [options.fetch] the fetch function (default: the global one)
   * @param {{keys: object[]}} [options.jwks] a JWK set to start with instead of fetching
   */
  constructor({ url, fetch: fetchFn = globalThis.fetch?.bind(globalThis), jwks } = {}) {
    this.#url = url;
    this.#fetch = fetchFn;
    if (jwks) this.#loading = importServerKeys(jwks).then(keys => (this.#keys = keys));
  }

  /** Fetches the key set (again). @returns {Promise<Map<string, CryptoKey>>} */
  load() {
    if (!this.#loading) {
      this.#loading = (async () => {
        const response = await this.#fetch(String(this.#url), {
          cache: 'no-store', credentials: 'same-origin', signal: AbortSignal.timeout?.(10_000),
        });
        if (!response.ok) throw new TocsinError('KEYS_UNAVAILABLE', 'GET ' + this.#url + ' answered ' + response.status);
        this.#keys = await importServerKeys(await response.json());
        return this.#keys;
      })().catch(e => {
        this.#loading = null;
        throw e instanceof TocsinError ? e : new TocsinError('KEYS_UNAVAILABLE', 'cannot load the server keys: ' + e.message);
      });
    }
    return this.#loading;
  }

  /** @param {string} kid @returns {Promise<CryptoKey|null>} the key, refetching the set once per unknown kid */
  async key(kid) {
    const keys = this.#keys ?? await this.load();
    if (keys.has(kid)) return keys.get(kid);
    if (this.#refetchedFor.has(kid) || this.#refetchedFor.size > 16) return null;
    this.#refetchedFor.add(kid);
    this.#loading = null;
    return (await this.load()).get(kid) ?? null;
  }

  /**
   * Verifies a server frame.
   * @param {object} frame the parsed frame
   * @returns {Promise<{ok: true} | {ok: false, reason: string}>}
   * @throws {TocsinError} KEYS_UNAVAILABLE when the keys cannot be fetched (nothing can be verified)
   */
  async verify(frame) {
    if (typeof frame.kid !== 'string' || typeof frame.s !== 'string') return { ok: false, reason: 'the frame is not signed' };
    const key = await this.key(frame.kid);
    if (!key) return { ok: false, reason: 'unknown key id ' + JSON.stringify(frame.kid) };
    return (await verifyServerEnvelope(frame, key)) ? { ok: true } : { ok: false, reason: 'the signature does not match' };
  }
}

// ---------------------------------------------------------------------------------------------
// The client

/** An error with a stable `code`: the server's error codes, or one of the client's own. */
export class TocsinError extends Error {
  /** @param {string} code @param {string} message @param {object} [detail] */
  constructor(code, message, detail) {
    super(message);
    this.name = 'TocsinError';
    this.code = code;
    this.detail = detail;
  }
}

/** The events a {@link TocsinClient} dispatches; the payload is in `detail`. */
export class TocsinEvent extends Event {
  /** @param {string} type @param {any} detail */
  constructor(type, detail) {
    super(type);
    this.detail = detail;
  }
}

/**
 * @typedef {object} TocsinOptions
 * @property {(context: {reason: 'connect'|'reconnect'|'refresh'|'expired'}) => Promise<string|{token: string}>} getToken
 *   gives a token for the handshake; called before every connection. `reason` is `refresh` when the
 *   current token is about to expire and `expired` after the server closed with 4002: return a fresh one then.
 * @property {string|string[]} [url] WebSocket URL(s); several are tried in turn. Default: `ws` next to the page, `wss:` if the page is `https:`.
 * @property {string} [baseUrl] what relative URLs resolve against (default: the page's location)
 * @property {string} [keysUrl] the JWK set (default: `api/keys` against baseUrl)
 * @property {string[]} [topics] topics to subscribe to from the start
 * @property {Storage|null} [storage] where the last offset per topic is kept across reloads (e.g. localStorage); default: memory only
 * @property {string} [storageKey] the storage item (default `tocsin.offsets`)
 * @property {boolean} [autoDeliveryAck] confirm every alert with an `ack` of kind `delivered` (default false)
 * @property {number} [heartbeatIntervalMs] how often to send a `ping` envelope (default 25000)
 * @property {number} [pongTimeoutMs] how long to wait for a `pong` before treating the connection as dead (default 10000)
 * @property {number} [handshakeTimeoutMs] how long to wait for `welcome` (default 10000)
 * @property {number} [backoffBaseMs] the first reconnect delay's upper bound (default 500)
 * @property {number} [backoffCapMs] the largest reconnect delay (default 30000)
 * @property {number} [maxQueue] sends kept while disconnected (default 100)
 * @property {number} [refreshMarginMs] reconnect with a fresh token this long before the token expires (default 60000, at most a fifth of its lifetime)
 * @property {number} [longSleepMs] a page hidden this long is checked at once when it becomes visible again (default 60000)
 * @property {typeof WebSocket} [WebSocket] the WebSocket class (default: the global one)
 * @property {typeof fetch} [fetch] the fetch function (default: the global one)
 * @property {() => number} [random] a source of [0, 1) for the backoff jitter (default Math.random)
 */

const DEFAULTS = {
  storageKey: 'tocsin.offsets',
  autoDeliveryAck: false,
  heartbeatIntervalMs: 25_000,
  pongTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  backoffBaseMs: 500,
  backoffCapMs: 30_000,
  maxQueue: 100,
  refreshMarginMs: 60_000,
  longSleepMs: 60_000,
};

const OPEN = 1;
const MAX_TIMER_MS = 2_147_483_647;
const SEEN_IDS = 10_000;
// Under the server's default rate limit (20 frames per second, bursts of 40).
const BUCKET_SIZE = 30;
const BUCKET_PER_SECOND = 15;

/**
 * A connection to Tocsin that stays up. Events (an {@link TocsinEvent}; payload in `detail`):
 *
 * - `state`: `{state, ...}` with state `connecting` | `open` | `reconnecting` (`delay` ms, `retryAt`, `attempt`, `reason`)
 *   | `offline` (waiting for the network) | `closed` (`reason`, `code`: stopped for good, by the application or a terminal close code)
 * - `welcome`: `{user, groups, expiresAt, session}` after each successful handshake
 * - `alert`: `{id, topic, offset, severity, title, body, publishedBy, ts, expiresAt}`, once per alert id
 * - `acknowledged`: `{alertId, topic, offset, by, at}` when a person acknowledged an alert
 * - `subscribed`: `{topic, latest, offset, reset}`; `reset`: `{topic, requested, restartAt, reason}` when the server could not resume where asked
 * - `error`: `{code, message, ref, fatal}`: error frames and the client's own problems
 * - `tampered`: `{reason, kid, frameType, id, topic, text}`: a frame failed its signature check; it was discarded,
 *   the connection dropped and resumed from the last verified offset
 */
export class TocsinClient extends EventTarget {
  #o;
  #urls;
  #urlIndex = 0;
  #keys;
  #ws = null;
  #gen = 0;
  #state = 'idle';
  #stopped = true;
  #attempt = 0;
  #lastDropTampered = false;
  #topics = new Map(); // topic -> fromOffset (or undefined)
  #offsets = new Map(); // topic -> last offset processed
  #seen = new Set();
  #alertTopics = new Map(); // alert id -> topic, for acknowledge()
  #queue = [];
  #pending = new Map(); // frame id -> queued item awaiting its reply
  #sessionKey = null;
  #welcome = null;
  #handshakeId = null;
  #handshakeToken = null;
  #freshToken = null;
  #clockOffset = 0;
  #inbox = Promise.resolve();
  #flushing = false;
  #bucket = { tokens: BUCKET_SIZE, at: 0 };
  #timers = { retry: 0, heartbeat: 0, pong: 0, handshake: 0, refresh: 0 };
  #retryAt = 0;
  #pingId = null;
  #probing = false;
  #lastError = null;
  #hiddenAt = 0;
  #listening = false;

  /** @param {TocsinOptions} options */
  constructor(options) {
    super();
    if (typeof options?.getToken !== 'function') throw new TypeError('getToken is required');
    this.#o = { ...DEFAULTS };
    for (const [name, value] of Object.entries(options)) if (value !== undefined) this.#o[name] = value;
    const base = this.#o.baseUrl ?? globalThis.location?.href;
    this.#urls = [].concat(this.#o.url ?? webSocketUrl(base));
    if (this.#urls.length === 0) throw new TypeError('no WebSocket URL');
    this.#keys = new ServerKeyRing({
      url: this.#o.keysUrl ?? new URL('api/keys', base ?? httpUrl(this.#urls[0])).href,
      fetch: this.#o.fetch,
    });
    this.#o.WebSocket ??= globalThis.WebSocket;
    this.#o.random ??= Math.random;
    this.#loadOffsets();
    for (const topic of this.#o.topics ?? []) this.#topics.set(topic, undefined);
  }

  /** The current state: `idle`, `connecting`, `open`, `reconnecting`, `offline` or `closed`. */
  get state() {
    return this.#state;
  }

  /** What the last `welcome` said (user, groups, expiresAt, ...), or null before the first. */
  get session() {
    return this.#welcome;
  }

  /** The topics subscribed to (or to be subscribed to on the next connection). */
  get topics() {
    return [...this.#topics.keys()];
  }

  /** @param {string} topic @returns {number|undefined} the last offset processed in `topic` */
  lastOffset(topic) {
    return this.#offsets.get(topic);
  }

  /**
   * Adds a listener for `type`, called with the event's `detail`.
   * @param {string} type @param {(detail: any, event: TocsinEvent) => void} listener
   * @returns {() => void} removes the listener
   */
  on(type, listener) {
    const wrapped = event => listener(event.detail, event);
    this.addEventListener(type, wrapped);
    return () => this.removeEventListener(type, wrapped);
  }

  /** Starts connecting (and keeps the connection up until {@link close}). */
  connect() {
    if (!this.#stopped) return this;
    this.#stopped = false;
    this.#attempt = 0;
    this.#listen(true);
    this.#open('connect');
    return this;
  }

  /**
   * Closes the connection for good (until {@link connect}); queued sends are rejected.
   * @param {string} [reason]
   */
  close(reason = 'closed by the application') {
    this.#stopped = true;
    this.#listen(false);
    this.#abandon(1000, reason);
    this.#rejectAll(new TocsinError('CLOSED', reason));
    this.#setState('closed', { reason });
  }

  /** Skips the remaining backoff delay and reconnects now (e.g. a "Reconnect now" button). */
  reconnectNow() {
    if (this.#stopped) return;
    if (this.#state === 'reconnecting' || this.#state === 'offline') {
      this.#attempt = 0;
      this.#open('reconnect');
    }
  }

  /**
   * Follows a topic, resuming after the later of the offset remembered for it (this session or
   * storage) and `fromOffset` (0: everything retained; for example the newest offset of a history
   * loaded over REST). With neither, live only: alerts published from now on.
   * @param {string} topic
   * @param {{fromOffset?: number}} [options]
   */
  subscribe(topic, { fromOffset } = {}) {
    if (!isValidTopic(topic)) throw new TypeError('invalid topic name: ' + topic);
    this.#topics.set(topic, fromOffset);
    if (this.#sessionKey) this.#sendSubscribe(topic);
  }

  /** @param {string} topic stops following it (the remembered offset is kept) */
  unsubscribe(topic) {
    if (!this.#topics.delete(topic)) return;
    if (this.#sessionKey) this.#enqueue({ type: 'unsubscribe', topic, control: true });
  }

  /**
   * A person takes the alert on ("I'm on it"): sends `ack` of kind `acknowledged`. Every
   * subscriber of the topic, this client included, then gets an `acknowledged` event.
   * @param {string} alertId
   * @param {string} [topic] the alert's topic, if the client has not seen the alert
   * @returns {Promise<object>} the receipt's data, once the acknowledgement is stored
   */
  acknowledge(alertId, topic) {
    return this.#ack(alertId, 'acknowledged', topic);
  }

  /**
   * Confirms that the alert was received (`ack` of kind `delivered`); see also `autoDeliveryAck`.
   * @param {string} alertId @param {string} [topic] @returns {Promise<object>}
   */
  confirmDelivery(alertId, topic) {
    return this.#ack(alertId, 'delivered', topic);
  }

  /**
   * Publishes an alert (needs the publish permission on the topic). Give `idempotencyKey` to make
   * a retry after a lost connection safe: without one, a publication whose receipt was lost is
   * reported as `CONNECTION_LOST` and not resent.
   * @param {string} topic
   * @param {{severity: string, title: string, body?: string, ttlSeconds?: number, expiresAt?: number, idempotencyKey?: string}} alert
   * @returns {Promise<{alertId: string, offset: number}>}
   */
  publish(topic, alert) {
    return this.#request({ type: 'publish', topic, d: { ...alert } });
  }

  /** Measures a round trip now. @returns {Promise<number>} milliseconds */
  async ping() {
    const start = Date.now();
    await this.#request({ type: 'ping' });
    return Date.now() - start;
  }

  // --- connection lifecycle ------------------------------------------------------------------

  async #open(reason) {
    this.#abandon(1000, 'reconnecting');
    if (this.#stopped) return;
    if (globalThis.navigator?.onLine === false) {
      this.#setState('offline', { reason: 'the network is offline' });
      return;
    }
    const gen = this.#gen;
    this.#setState('connecting', { attempt: this.#attempt });
    let token = this.#freshToken;
    this.#freshToken = null;
    if (!token) {
      try {
        token = tokenOf(await this.#o.getToken({ reason }));
      } catch (e) {
        if (gen !== this.#gen || this.#stopped) return;
        this.#emitError('TOKEN_UNAVAILABLE', 'no token: ' + (e?.message ?? e));
        this.#retry('no token');
        return;
      }
    }
    if (gen !== this.#gen || this.#stopped) return;
    const url = this.#urls[this.#urlIndex++ % this.#urls.length];
    let ws;
    try {
      ws = new this.#o.WebSocket(url, SUBPROTOCOL);
    } catch (e) {
      this.#emitError('CONNECT_FAILED', 'cannot open ' + url + ': ' + e.message);
      this.#retry('cannot open the connection');
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.#handshakeToken = token;
    ws.onopen = () => gen === this.#gen && this.#handshake(gen, ws, token);
    ws.onmessage = event => gen === this.#gen && this.#receive(gen, event.data);
    // After the frames before it, which may still be being verified.
    ws.onclose = event => {
      this.#inbox = this.#inbox.then(() => gen === this.#gen && this.#closed(event.code, event.reason))
        .catch(e => this.#emitError('CLIENT_ERROR', 'handling the close failed: ' + e.message));
    };
    ws.onerror = () => {}; // a close event follows
    this.#timers.handshake = setTimeout(() => gen === this.#gen && this.#drop('no welcome within '
      + this.#o.handshakeTimeoutMs + ' ms'), this.#o.handshakeTimeoutMs);
  }

  async #handshake(gen, ws, token, retried = false) {
    const envelope = { v: PROTOCOL_VERSION, type: 'handshake', id: newId(), ts: this.#now(), kid: 'token', d: { token } };
    let signed;
    try {
      signed = await signClientEnvelope(envelope, token);
    } catch (e) {
      this.#emitError(e.code ?? 'CLIENT_ERROR', e.message, { fatal: true });
      this.close(e.message);
      return;
    }
    if (gen !== this.#gen || ws.readyState !== OPEN) return;
    this.#handshakeId = envelope.id;
    this.#handshakeRetried = retried;
    ws.send(JSON.stringify(signed));
  }

  #handshakeRetried = false;

  /** The server closed (or the connection dropped). */
  #closed(code, reason) {
    const why = this.#lastError?.close ? this.#lastError.message : reason;
    const meaning = describeCloseCode(code) + (why ? ': ' + why : '');
    this.#abandon();
    if (this.#stopped) return;
    if (isTerminalCloseCode(code)) {
      this.#stopped = true;
      this.#listen(false);
      this.#rejectAll(new TocsinError('CLOSED', meaning));
      this.#setState('closed', { code, reason: meaning });
      return;
    }
    if (code === 4002) {
      this.#open('expired');
      return;
    }
    this.#retry(meaning, { code, minDelay: code === 4005 ? 5000 : 0 });
  }

  /** Gives up on the current connection (dead, forged frames, token refresh) and reconnects. */
  #drop(reason, { immediate = false, tampered = false } = {}) {
    this.#abandon(1000, reason.slice(0, 100));
    this.#lastDropTampered = tampered;
    if (this.#stopped) return;
    if (immediate) this.#open('reconnect');
    else this.#retry(reason);
  }

  /** Detaches and closes the current socket, clears its timers, requeues what can be resent. */
  #abandon(code, reason) {
    this.#gen++;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      if (code && ws.readyState <= OPEN) {
        try { ws.close(code, String(reason ?? '').slice(0, 100)); } catch (e) { /* already closing */ }
      }
    }
    for (const name of Object.keys(this.#timers)) {
      clearTimeout(this.#timers[name]);
      clearInterval(this.#timers[name]);
      this.#timers[name] = 0;
    }
    this.#sessionKey = null;
    this.#pingId = null;
    this.#probing = false;
    this.#lastError = null;
    this.#inbox = Promise.resolve();
    const resend = [];
    for (const item of this.#pending.values()) {
      if (item.control || item.type === 'ping') {
        item.reject?.(new TocsinError('CONNECTION_LOST', 'the connection was lost'));
      } else if (item.type === 'ack' || item.d?.idempotencyKey) {
        resend.push(item); // acknowledging twice, or publishing with the same key, is safe
      } else {
        item.reject?.(new TocsinError('CONNECTION_LOST', 'the connection was lost before the receipt: the outcome is unknown'));
      }
    }
    this.#pending.clear();
    this.#queue = [...resend, ...this.#queue.filter(item => !item.control)];
  }

  #retry(reason, { code, minDelay = 0 } = {}) {
    if (this.#stopped) return;
    if (globalThis.navigator?.onLine === false) {
      this.#setState('offline', { reason, code });
      return;
    }
    const ceiling = Math.min(this.#o.backoffCapMs, this.#o.backoffBaseMs * 2 ** Math.min(this.#attempt, 30));
    const delay = Math.max(minDelay, Math.floor(this.#o.random() * ceiling)); // full jitter
    this.#attempt++;
    this.#retryAt = Date.now() + delay;
    this.#timers.retry = setTimeout(() => this.#open('reconnect'), delay);
    this.#setState('reconnecting', { delay, retryAt: this.#retryAt, attempt: this.#attempt, reason, code });
  }

  // --- inbound -------------------------------------------------------------------------------

  #receive(gen, data) {
    // Verification is asynchronous: a chain keeps frames in arrival order.
    this.#inbox = this.#inbox.then(() => this.#process(gen, data)).catch(e => {
      if (gen === this.#gen) this.#emitError('CLIENT_ERROR', 'a frame could not be processed: ' + e.message);
    });
  }

  async #process(gen, data) {
    let text;
    try {
      text = await frameText(data);
    } catch (e) {
      if (gen === this.#gen) this.#tampered({ reason: 'the frame is not UTF-8 text', text: '' });
      return;
    }
    if (gen !== this.#gen) return;
    if (text.trim() === 'pong') {
      this.#heard();
      return;
    }
    let frame;
    try {
      frame = JSON.parse(text);
    } catch (e) {
      frame = null;
    }
    if (!isPlainObject(frame)) {
      this.#tampered({ reason: 'the frame is not a JSON object', text });
      return;
    }
    let verdict;
    try {
      verdict = frame.kid === SESSION_KID ? await this.#verifyReply(frame) : await this.#keys.verify(frame);
    } catch (e) {
      if (gen !== this.#gen) return;
      this.#emitError(e.code ?? 'KEYS_UNAVAILABLE', e.message);
      this.#drop('cannot verify the server\'s frames');
      return;
    }
    if (gen !== this.#gen) return;
    if (!verdict.ok) {
      this.#tampered({ reason: verdict.reason, kid: frame.kid, frameType: frame.type, id: frame.id, topic: frame.topic, text });
      return;
    }
    this.#heard();
    await this.#dispatch(gen, frame);
  }

  async #verifyReply(frame) {
    if (!this.#sessionKey) return { ok: false, reason: 'a frame signed with a session key before the welcome' };
    return (await verifySessionEnvelope(frame, this.#sessionKey)) ? { ok: true } : { ok: false, reason: 'the signature does not match' };
  }

  #tampered(detail) {
    this.#emit('tampered', detail);
    this.#drop('a frame failed its signature check', { tampered: true });
  }

  async #dispatch(gen, frame) {
    const d = isPlainObject(frame.d) ? frame.d : {};
    switch (frame.type) {
      case 'welcome':
        if (d.ref !== this.#handshakeId) {
          this.#tampered({ reason: 'the welcome answers another handshake', kid: frame.kid, frameType: frame.type, id: frame.id });
          return;
        }
        await this.#welcomed(gen, d);
        break;
      case 'alert':
        this.#alert(frame, d);
        break;
      case 'acknowledged':
        // One per alert, with the same id live and in every replay of the alert.
        if (typeof frame.id !== 'string' || this.#seen.has(frame.id)) break;
        remember(this.#seen, frame.id);
        this.#emit('acknowledged', { alertId: d.alertId, topic: frame.topic, offset: d.offset, by: d.by, at: d.at });
        break;
      case 'subscribed':
        this.#subscribed(frame.topic, d);
        this.#settle(d.ref, d);
        break;
      case 'pong':
        if (this.#probing && d.ref === this.#pingId) {
          this.#probing = false;
          this.#pingId = null;
          clearTimeout(this.#timers.pong);
          this.#timers.pong = 0;
        }
        this.#settle(d.ref, d);
        break;
      case 'receipt':
      case 'unsubscribed':
        this.#settle(d.ref, d);
        break;
      case 'error':
        this.#serverError(d);
        break;
      default:
        // New server message types may appear within a version: ignore them.
        break;
    }
  }

  async #welcomed(gen, d) {
    let key;
    try {
      const bytes = base64urlDecode(d.key);
      if (bytes.length !== 32) throw new TypeError('the session key is not 32 bytes');
      key = await importHmacKey(bytes);
    } catch (e) {
      this.#emitError('CLIENT_ERROR', 'unusable welcome: ' + e.message);
      this.#drop('unusable welcome');
      return;
    }
    if (gen !== this.#gen) return;
    clearTimeout(this.#timers.handshake);
    this.#sessionKey = key;
    this.#welcome = { user: d.user, groups: d.groups, expiresAt: d.expiresAt, session: d.session, heartbeatMs: d.heartbeatMs };
    if (!this.#lastDropTampered) this.#attempt = 0;
    this.#lastDropTampered = false;
    this.#setState('open', { user: d.user, groups: d.groups, expiresAt: d.expiresAt });
    this.#emit('welcome', { ...this.#welcome });
    this.#scheduleRefresh(gen, d.expiresAt);
    this.#timers.heartbeat = setInterval(() => this.#probe(), this.#o.heartbeatIntervalMs);
    // Subscriptions first, then whatever the application queued while disconnected.
    const queued = this.#queue;
    this.#queue = [];
    for (const topic of this.#topics.keys()) this.#sendSubscribe(topic);
    this.#queue.push(...queued);
    this.#flush();
  }

  #alert(frame, d) {
    const topic = frame.topic;
    if (!this.#topics.has(topic) || typeof frame.id !== 'string') return;
    if (Number.isSafeInteger(d.offset) && d.offset > (this.#offsets.get(topic) ?? 0)) {
      this.#offsets.set(topic, d.offset);
    }
    if (!this.#seen.has(frame.id)) {
      remember(this.#seen, frame.id);
      this.#alertTopics.set(frame.id, topic);
      if (this.#alertTopics.size > SEEN_IDS) this.#alertTopics.delete(this.#alertTopics.keys().next().value);
      this.#emit('alert', {
        id: frame.id, topic, offset: d.offset, severity: d.severity, title: d.title, body: d.body,
        publishedBy: d.publishedBy, ts: frame.ts, expiresAt: d.expiresAt,
      });
      if (this.#o.autoDeliveryAck) {
        this.#enqueue({ type: 'ack', topic, d: { alertId: frame.id }, bestEffort: true });
      }
    }
    // Processed (or known already): only now does the offset count as done.
    this.#saveOffsets();
  }

  #subscribed(topic, d) {
    if (!topic) return;
    if (isPlainObject(d.reset)) {
      this.#offsets.set(topic, d.offset);
      this.#emit('reset', { topic, ...d.reset });
    } else if (!this.#offsets.has(topic) && Number.isSafeInteger(d.offset ?? d.latest)) {
      this.#offsets.set(topic, d.offset ?? d.latest);
    }
    this.#saveOffsets();
    this.#emit('subscribed', { topic, latest: d.latest, offset: d.offset, reset: d.reset });
  }

  #serverError(d) {
    this.#lastError = d;
    const item = this.#pending.get(d.ref);
    if (d.code === 'STALE_TIMESTAMP' && Number.isSafeInteger(d.serverTime)) {
      this.#clockOffset = d.serverTime - Date.now();
    }
    if (d.ref && d.ref === this.#handshakeId && d.code === 'STALE_TIMESTAMP' && !this.#handshakeRetried) {
      this.#handshake(this.#gen, this.#ws, this.#handshakeToken, true);
      return;
    }
    if (item) {
      this.#pending.delete(d.ref);
      if ((d.code === 'STALE_TIMESTAMP' || d.code === 'RATE_LIMITED') && !item.retried) {
        item.retried = true;
        this.#queue.unshift(item);
        setTimeout(() => this.#flush(), d.code === 'RATE_LIMITED' ? 1000 : 0);
        return;
      }
      item.reject?.(new TocsinError(d.code, d.message, d));
      if (!item.reject) this.#emitError(d.code, d.message, { ref: d.ref, topic: item.topic });
      return;
    }
    this.#emitError(d.code, d.message, { ref: d.ref, fatal: d.close === true });
  }

  #heard() {
    // Anything verified from the server proves the path works: the pong deadline moves on.
    if (this.#probing) this.#armPongTimer();
  }

  // --- outbound ------------------------------------------------------------------------------

  #sendSubscribe(topic) {
    const known = this.#offsets.get(topic);
    const from = this.#topics.get(topic);
    const offset = known === undefined ? from : from === undefined ? known : Math.max(known, from);
    this.#enqueue({ type: 'subscribe', topic, d: offset === undefined ? undefined : { offset }, control: true });
  }

  #ack(alertId, kind, topic) {
    if (typeof alertId !== 'string' || !alertId) return Promise.reject(new TypeError('alertId is required'));
    return this.#request({ type: 'ack', topic: topic ?? this.#alertTopics.get(alertId), d: { alertId, kind } });
  }

  #request(item) {
    return new Promise((resolve, reject) => this.#enqueue({ ...item, resolve, reject }));
  }

  #enqueue(item) {
    const waiting = this.#queue.filter(i => !i.control).length;
    if (!item.control && waiting >= this.#o.maxQueue) {
      const error = new TocsinError('QUEUE_FULL', 'more than ' + this.#o.maxQueue + ' sends are waiting for the connection');
      if (item.reject) item.reject(error);
      else if (!item.bestEffort) this.#emitError(error.code, error.message);
      return;
    }
    this.#queue.push(item);
    this.#flush();
  }

  async #flush() {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#queue.length > 0 && this.#sessionKey && this.#ws?.readyState === OPEN) {
        const wait = this.#takeToken();
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        const gen = this.#gen;
        const item = this.#queue.shift();
        const envelope = { v: PROTOCOL_VERSION, type: item.type, id: newId(), ts: this.#now(), kid: SESSION_KID };
        if (item.topic) envelope.topic = item.topic;
        if (item.d !== undefined) envelope.d = item.d;
        let signed;
        try {
          signed = JSON.stringify(await signClientEnvelope(envelope, this.#sessionKey));
        } catch (e) {
          const error = new TocsinError('CLIENT_ERROR', 'cannot sign the ' + item.type + ' frame: ' + e.message);
          if (item.reject) item.reject(error);
          else this.#emitError(error.code, error.message);
          continue;
        }
        if (gen !== this.#gen || this.#ws?.readyState !== OPEN) {
          if (!item.control) this.#queue.unshift(item); // resent on the next connection
          break;
        }
        this.#ws.send(signed);
        item.id = envelope.id;
        this.#pending.set(envelope.id, item);
        if (item.probe) this.#pingId = envelope.id;
        if (this.#pending.size > 1000) this.#pending.delete(this.#pending.keys().next().value);
      }
    } finally {
      this.#flushing = false;
      // A new connection may have opened while this flush was signing for the old one.
      if (this.#queue.length > 0 && this.#sessionKey && this.#ws?.readyState === OPEN) queueMicrotask(() => this.#flush());
    }
  }

  /** A token bucket below the server's rate limit; returns how long to wait for a token (0: taken). */
  #takeToken() {
    const now = Date.now();
    const b = this.#bucket;
    b.tokens = Math.min(BUCKET_SIZE, b.tokens + ((now - b.at) / 1000) * BUCKET_PER_SECOND);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / BUCKET_PER_SECOND) * 1000);
  }

  /** Heartbeat: a `ping` envelope that must be answered within the pong timeout. */
  #probe() {
    if (!this.#sessionKey || this.#probing) return;
    this.#probing = true;
    this.#enqueue({ type: 'ping', control: true, probe: true });
    this.#armPongTimer();
  }

  #armPongTimer() {
    clearTimeout(this.#timers.pong);
    const gen = this.#gen;
    this.#timers.pong = setTimeout(() => {
      if (gen === this.#gen) this.#drop('no pong within ' + this.#o.pongTimeoutMs + ' ms: the connection is dead');
    }, this.#o.pongTimeoutMs);
  }

  #scheduleRefresh(gen, expiresAt) {
    if (!Number.isFinite(expiresAt)) return;
    const lifetime = expiresAt - this.#now();
    const margin = Math.min(this.#o.refreshMarginMs, lifetime / 5);
    const delay = Math.max(1000, Math.min(MAX_TIMER_MS, lifetime - margin));
    this.#timers.refresh = setTimeout(async () => {
      if (gen !== this.#gen) return;
      try {
        const token = tokenOf(await this.#o.getToken({ reason: 'refresh' }));
        if (gen !== this.#gen) return;
        // A new connection with the new token; resuming by offset loses nothing in between.
        this.#freshToken = token;
        this.#drop('refreshing the token', { immediate: true });
      } catch (e) {
        if (gen !== this.#gen) return;
        this.#emitError('TOKEN_UNAVAILABLE', 'cannot refresh the token: ' + (e?.message ?? e));
        if (expiresAt - this.#now() > 5000) this.#scheduleRefresh(gen, expiresAt);
      }
    }, delay);
  }

  // --- environment: network and visibility -----------------------------------------------

  #onOnline = () => {
    if (this.#stopped) return;
    if (this.#state === 'open') this.#probe();
    else {
      this.#attempt = 0;
      this.#open('reconnect');
    }
  };

  #onOffline = () => {
    if (this.#stopped) return;
    if (this.#state === 'open') this.#probe(); // the path may be gone: find out soon
    else if (this.#state === 'reconnecting') {
      clearTimeout(this.#timers.retry);
      this.#setState('offline', { reason: 'the network is offline' });
    }
  };

  #onVisibility = () => {
    const doc = globalThis.document;
    if (!doc || this.#stopped) return;
    if (doc.visibilityState === 'hidden') {
      this.#hiddenAt = Date.now();
      return;
    }
    if (!this.#hiddenAt || Date.now() - this.#hiddenAt < this.#o.longSleepMs) return;
    this.#hiddenAt = 0;
    // After a long sleep a connection can look open with its path long gone.
    if (this.#state === 'open') this.#probe();
    else if (this.#state === 'reconnecting') this.reconnectNow();
  };

  #listen(on) {
    if (on === this.#listening || typeof globalThis.addEventListener !== 'function') return;
    this.#listening = on;
    const method = on ? 'addEventListener' : 'removeEventListener';
    globalThis[method]('online', this.#onOnline);
    globalThis[method]('offline', this.#onOffline);
    globalThis.document?.[method]('visibilitychange', this.#onVisibility);
  }

  // --- small things --------------------------------------------------------------------------

  #now() {
    return Date.now() + this.#clockOffset;
  }

  #settle(ref, d) {
    const item = this.#pending.get(ref);
    if (!item) return;
    this.#pending.delete(ref);
    item.resolve?.(d);
  }

  #rejectAll(error) {
    for (const item of [...this.#queue, ...this.#pending.values()]) item.reject?.(error);
    this.#queue = [];
    this.#pending.clear();
  }

  #setState(state, detail = {}) {
    this.#state = state;
    this.#emit('state', { state, ...detail });
  }

  #emit(type, detail) {
    this.dispatchEvent(new TocsinEvent(type, detail));
  }

  #emitError(code, message, extra = {}) {
    this.#emit('error', { code, message, ...extra });
  }

  #loadOffsets() {
    try {
      const stored = JSON.parse(this.#o.storage?.getItem(this.#o.storageKey) ?? '{}');
      for (const [topic, offset] of Object.entries(stored)) {
        if (isValidTopic(topic) && Number.isSafeInteger(offset) && offset >= 0) this.#offsets.set(topic, offset);
      }
    } catch (e) {
      // unreadable storage: start from memory
    }
  }

  #saveOffsets() {
    try {
      this.#o.storage?.setItem(this.#o.storageKey, JSON.stringify(Object.fromEntries(this.#offsets)));
    } catch (e) {
      // storage full or disabled: offsets stay in memory
    }
  }
}

/**
 * The WebSocket URL next to a page: `ws` resolved against it, `wss:` if the page is `https:`.
 * @param {string} pageUrl @returns {string}
 */
export function webSocketUrl(pageUrl) {
  if (!pageUrl) throw new TypeError('no page location: pass url or baseUrl');
  const url = new URL('ws', pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.href;
}

function httpUrl(wsUrl) {
  const url = new URL('.', wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return url.href;
}

function tokenOf(value) {
  const token = typeof value === 'string' ? value : value?.token;
  if (typeof token !== 'string' || !token) throw new TypeError('getToken gave no token');
  return token;
}

const DECODER = new TextDecoder('utf-8', { fatal: true });

/** The text of a message event's data: a string, a Blob or an ArrayBuffer (or view). */
async function frameText(data) {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return DECODER.decode(data);
  if (typeof Blob !== 'undefined' && data instanceof Blob) return DECODER.decode(await data.arrayBuffer());
  throw new TypeError('unexpected message data');
}

function newId() {
  return globalThis.crypto?.randomUUID?.() ?? base64urlEncode(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

function remember(set, id) {
  set.add(id);
  if (set.size > SEEN_IDS) set.delete(set.values().next().value);
}

function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}
