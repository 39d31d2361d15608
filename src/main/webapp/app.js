// The live-alerts page: demo sign-in, topics, history over REST, live alerts over tocsin.js,
// acknowledgements, a connection banner and opt-in desktop notifications. Plain DOM, no framework;
// every URL is relative to the page, so it works under any context root.
import { isValidTopic, SEVERITIES, TocsinClient } from './tocsin.js';

const $ = id => document.getElementById(id);
const SESSION_ITEM = 'tocsin.page.session'; // sessionStorage: this tab stays signed in across reloads
const PREFS_ITEM = 'tocsin.page.prefs'; // localStorage: the form's last values, notifications opt-in
const HISTORY_LIMIT = 50;
const MAX_ITEMS = 500;
const LABELS = { critical: 'Critical', error: 'Error', warning: 'Warning', info: 'Info' };

// Tuning for tests and demos (?heartbeat=2000&pongTimeout=2000&backoffCap=2000), clamped.
const params = new URLSearchParams(location.search);
function tuning(name, min, max) {
  const value = Number(params.get(name));
  return params.has(name) && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : undefined;
}
const TUNING = {
  heartbeatIntervalMs: tuning('heartbeat', 1000, 600_000),
  pongTimeoutMs: tuning('pongTimeout', 500, 120_000),
  backoffCapMs: tuning('backoffCap', 500, 600_000),
};

/** @type {{user: string, groups: string[], topics: string[], token: string|null, expiresAt: number}|null} */
let session = null;
/** @type {TocsinClient|null} */
let client = null;
const alerts = new Map(); // id -> {data, el}
const lateAcks = new Map(); // alertId -> acknowledged detail that came before its alert
let countdownTimer = 0;

// --- sign-in -------------------------------------------------------------------------------------

function prefs() {
  try {
    return JSON.parse(localStorage.getItem(PREFS_ITEM)) ?? {};
  } catch (e) {
    return {};
  }
}

function savePrefs(changes) {
  try {
    localStorage.setItem(PREFS_ITEM, JSON.stringify({ ...prefs(), ...changes }));
  } catch (e) {
    // storage disabled: preferences last for this page only
  }
}

const list = text => text.split(/[\s,]+/).map(s => s.trim()).filter(Boolean);

async function mintToken() {
  const response = await fetch('api/demo/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: session.user, groups: session.groups }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message ?? `the sign-in failed (HTTP ${response.status})`);
  session.token = body.token;
  session.expiresAt = body.expiresAt;
  return body.token;
}

/** The client's getToken: the current token while it has two minutes left, else a new one. */
async function token({ reason } = {}) {
  const fresh = reason === 'refresh' || reason === 'expired';
  if (fresh || !session.token || session.expiresAt - Date.now() < 120_000) await mintToken();
  return session.token;
}

$('signin-form').addEventListener('submit', async event => {
  event.preventDefault();
  const form = event.currentTarget;
  const error = $('signin-error');
  error.textContent = '';
  const user = $('user').value.trim();
  const groups = list($('groups').value);
  const topics = list($('signin-topics').value);
  const bad = topics.find(t => !isValidTopic(t));
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(user)) return invalid($('user'), 'Enter a user name: letters, digits and . _ @ -');
  if (bad) return invalid($('signin-topics'), `"${bad}" is not a topic name (lower case segments separated by dots).`);
  if (topics.length === 0) return invalid($('signin-topics'), 'Follow at least one topic.');
  form.querySelector('button[type=submit]').disabled = true;
  try {
    await start({ user, groups, topics });
  } catch (e) {
    error.textContent = e.message;
  } finally {
    form.querySelector('button[type=submit]').disabled = false;
  }
});

function invalid(input, message) {
  input.setAttribute('aria-invalid', 'true');
  $(input.form.id === 'signin-form' ? 'signin-error' : 'topic-error').textContent = message;
  input.focus();
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'), { once: true });
}

async function start({ user, groups, topics }) {
  session = { user, groups, topics: [], token: null, expiresAt: 0 };
  await mintToken();
  savePrefs({ user, groups, topics });
  sessionStorage.setItem(SESSION_ITEM, JSON.stringify({ user, groups, topics }));
  $('who').textContent = user;
  $('signin').hidden = true;
  $('live').hidden = false;
  client = new TocsinClient({
    getToken: token,
    storage: localStorage,
    storageKey: 'tocsin.offsets.' + user,
    ...TUNING,
  });
  client.on('state', showState);
  client.on('alert', detail => showAlert(fromFrame(detail), { live: true }));
  client.on('acknowledged', showAcknowledged);
  client.on('tampered', detail => problem('tampered',
    `Discarded ${detail.frameType ? 'an ' + detail.frameType + ' frame' : 'a frame'} that failed its signature check `
    + `(${detail.reason}). Reconnecting to fetch the genuine one.`));
  client.on('error', detail => problem('error', `${detail.code}: ${detail.message}`));
  client.on('reset', detail => problem('reset', detail.reason === 'retention'
    ? `Some alerts of ${detail.topic} are no longer kept by the server (offsets ${detail.requested + 1} to ${detail.restartAt}).`
    : `The server's history of ${detail.topic} was replaced; following it from now on.`));
  await Promise.all(topics.map(follow));
  client.connect();
  $('alerts-heading').focus();
}

$('signout').addEventListener('click', () => {
  client?.close('signed out');
  client = null;
  session = null;
  sessionStorage.removeItem(SESSION_ITEM);
  alerts.clear();
  $('alerts').replaceChildren();
  $('topic-list').replaceChildren();
  $('connection-log').replaceChildren();
  updateCount();
  $('live').hidden = true;
  $('signin').hidden = false;
  showState({ state: 'idle' });
  $('user').focus();
});

// --- topics and history ----------------------------------------------------------------------------

/** Loads the topic's recent history, then subscribes from its newest offset: no gap, nothing twice. */
async function follow(topic) {
  if (session.topics.includes(topic)) return;
  let newest = 0;
  try {
    const response = await fetch(`api/alerts?topic=${encodeURIComponent(topic)}&limit=${HISTORY_LIMIT}`, {
      headers: { Authorization: 'Bearer ' + await token() },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      problem('error', `${topic}: ${body.message ?? 'HTTP ' + response.status}`);
      if (response.status === 403 || response.status === 400) return;
    }
    for (const alert of body.alerts ?? []) {
      showAlert(fromHistory(alert), { live: false });
      newest = Math.max(newest, alert.offset);
    }
  } catch (e) {
    problem('error', `Could not load the history of ${topic}: ${e.message}`);
  }
  session.topics.push(topic);
  client.subscribe(topic, { fromOffset: newest });
  renderTopics();
}

function unfollow(topic) {
  session.topics = session.topics.filter(t => t !== topic);
  client.unsubscribe(topic);
  for (const [id, { data, el }] of alerts) {
    if (data.topic === topic) {
      el.remove();
      alerts.delete(id);
    }
  }
  renderTopics();
  updateCount();
  $('new-topic').focus();
}

function renderTopics() {
  const items = [...session.topics].sort().map(topic => {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = topic;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'chip-remove';
    remove.textContent = '×';
    remove.setAttribute('aria-label', `Stop following ${topic}`);
    remove.addEventListener('click', () => unfollow(topic));
    li.append(name, remove);
    return li;
  });
  $('topic-list').replaceChildren(...items);
  const stored = sessionStorage.getItem(SESSION_ITEM);
  if (stored) sessionStorage.setItem(SESSION_ITEM, JSON.stringify({ ...JSON.parse(stored), topics: session.topics }));
}

$('topic-form').addEventListener('submit', async event => {
  event.preventDefault();
  $('topic-error').textContent = '';
  const input = $('new-topic');
  const topic = input.value.trim();
  if (!isValidTopic(topic)) return invalid(input, `"${topic}" is not a topic name.`);
  input.value = '';
  await follow(topic);
});

// --- alerts ------------------------------------------------------------------------------------------

function fromFrame(a) {
  return {
    id: a.id, topic: a.topic, offset: a.offset, severity: a.severity, title: a.title, body: a.body,
    publishedBy: a.publishedBy, publishedAt: a.ts, expiresAt: a.expiresAt,
  };
}

function fromHistory(a) {
  return { ...a };
}

function showAlert(data, { live }) {
  if (alerts.has(data.id)) return; // history and live overlap at the seam, and resumes repeat nothing
  const el = $('alert-template').content.firstElementChild.cloneNode(true);
  const severity = SEVERITIES.includes(data.severity) ? data.severity : 'info';
  el.classList.add('sev-' + severity);
  el.dataset.alertId = data.id;
  el.dataset.topic = data.topic;
  el.dataset.offset = data.offset;
  el.dataset.severity = severity;
  el.tabIndex = -1;
  const titleId = 'alert-title-' + cssId(data.id);
  el.querySelector('.badge').textContent = LABELS[severity];
  const title = el.querySelector('.title');
  title.textContent = data.title;
  title.id = titleId;
  el.setAttribute('aria-labelledby', titleId);
  const body = el.querySelector('.body');
  body.textContent = data.body ?? '';
  body.hidden = !data.body;
  el.querySelector('.topic').textContent = `${data.topic} #${data.offset}`;
  const time = el.querySelector('.time');
  time.dateTime = new Date(data.publishedAt).toISOString();
  time.textContent = formatTime(data.publishedAt);
  el.querySelector('.by').textContent = 'by ' + (data.publishedBy ?? 'unknown');
  const button = el.querySelector('.ack');
  button.setAttribute('aria-describedby', titleId);
  button.addEventListener('click', () => acknowledge(data.id));
  alerts.set(data.id, { data, el });
  insertSorted(el, data);
  markAcknowledged(data.id, data.acknowledgedBy, data.acknowledgedAt);
  if (lateAcks.has(data.id)) {
    const late = lateAcks.get(data.id);
    lateAcks.delete(data.id);
    markAcknowledged(data.id, late.by, late.at);
  }
  if (live) {
    el.classList.add('fresh');
    announce(data, severity);
    notify(data, severity);
  }
  trim();
  updateCount();
}

function insertSorted(el, data) {
  const list = $('alerts');
  for (const other of list.children) {
    const o = alerts.get(other.dataset.alertId)?.data;
    if (o && (o.publishedAt < data.publishedAt || (o.publishedAt === data.publishedAt && o.offset < data.offset))) {
      list.insertBefore(el, other);
      return;
    }
  }
  list.append(el);
}

function trim() {
  const list = $('alerts');
  while (list.children.length > MAX_ITEMS) {
    const last = list.lastElementChild;
    alerts.delete(last.dataset.alertId);
    last.remove();
  }
}

async function acknowledge(id) {
  const entry = alerts.get(id);
  if (!entry || entry.data.acknowledgedBy) return;
  const button = entry.el.querySelector('.ack');
  if (button.getAttribute('aria-disabled') === 'true') return;
  // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
  button.setAttribute('aria-disabled', 'true');
  button.setAttribute('aria-busy', 'true');
  button.textContent = client.state === 'open' ? 'Acknowledging…' : 'Acknowledging when reconnected…';
  try {
    await client.acknowledge(id, entry.data.topic);
  } catch (e) {
    if (entry.data.acknowledgedBy) return;
    button.removeAttribute('aria-disabled');
    button.removeAttribute('aria-busy');
    button.textContent = 'Acknowledge';
    problem('error', `Could not acknowledge "${entry.data.title}": ${e.message}`);
  }
}

function showAcknowledged(detail) {
  if (!alerts.has(detail.alertId)) {
    lateAcks.set(detail.alertId, detail);
    return;
  }
  markAcknowledged(detail.alertId, detail.by, detail.at);
}

function markAcknowledged(id, by, at) {
  const entry = alerts.get(id);
  if (!entry || !by) return;
  const hadFocus = entry.el.contains(document.activeElement);
  entry.data.acknowledgedBy = entry.data.acknowledgedBy ?? by; // the first acknowledgement stands
  entry.data.acknowledgedAt = entry.data.acknowledgedAt ?? at;
  entry.el.dataset.acknowledged = 'true';
  entry.el.classList.remove('fresh');
  entry.el.querySelector('.ack').hidden = true;
  const acked = entry.el.querySelector('.acked');
  acked.hidden = false;
  acked.textContent = `Acknowledged by ${entry.data.acknowledgedBy}` + (entry.data.acknowledgedAt ? ' at ' + formatTime(entry.data.acknowledgedAt) : '');
  if (hadFocus) entry.el.focus(); // keep the keyboard user's place when the button goes
  updateCount();
}

function updateCount() {
  const open = [...alerts.values()].filter(a => !a.data.acknowledgedBy).length;
  $('count').textContent = alerts.size ? `(${alerts.size}, ${open} open)` : '';
  $('empty').hidden = alerts.size > 0;
  document.title = (open ? `(${open}) ` : '') + 'Tocsin · live alerts';
}

$('hide-acknowledged').addEventListener('change', event => {
  $('alerts').classList.toggle('hide-acknowledged', event.currentTarget.checked);
});

// --- connection banner -----------------------------------------------------------------------------

function showState(s) {
  const banner = $('connection');
  banner.dataset.state = s.state;
  clearInterval(countdownTimer);
  $('countdown').textContent = '';
  $('reconnect-now').hidden = s.state !== 'reconnecting';
  const text = {
    idle: () => 'Not connected.',
    connecting: () => 'Connecting…',
    open: () => `Live: connected as ${s.user}.`,
    reconnecting: () => `Connection lost (${s.reason}). Reconnecting`, // the countdown follows
    offline: () => 'You are offline. Alerts will catch up when the network is back.',
    closed: () => `Disconnected: ${s.reason}.`,
  }[s.state] ?? (() => s.state);
  $('connection-text').textContent = text();
  logState(s, text());
  if (s.state === 'reconnecting') {
    const tick = () => {
      const left = Math.max(0, s.retryAt - Date.now());
      $('countdown').textContent = left > 0 ? `in ${Math.ceil(left / 1000)} s…` : 'now…';
      banner.dataset.retryIn = String(left);
    };
    tick();
    countdownTimer = setInterval(tick, 250);
  }
}

/** The last state changes with their reasons: why the page disconnected, for whoever asks. */
function logState(s, text) {
  if (s.state === 'idle') return;
  const item = document.createElement('li');
  item.dataset.state = s.state;
  const delay = s.state === 'reconnecting' ? ` (next attempt in ${(s.delay / 1000).toFixed(1)} s)` : '';
  item.textContent = `${formatTime(Date.now())} ${text}${delay}`;
  const log = $('connection-log');
  log.prepend(item);
  while (log.children.length > 20) log.lastElementChild.remove();
}

$('reconnect-now').addEventListener('click', () => client?.reconnectNow());

// --- problems, announcements, notifications ----------------------------------------------------------

function problem(kind, message) {
  const item = document.createElement('li');
  item.dataset.kind = kind;
  item.textContent = `${formatTime(Date.now())} ${message}`;
  const listEl = $('problem-list');
  listEl.prepend(item);
  while (listEl.children.length > 5) listEl.lastElementChild.remove();
  $('problems').hidden = false;
}

$('problems-dismiss').addEventListener('click', () => {
  $('problem-list').replaceChildren();
  $('problems').hidden = true;
  $('alerts-heading').focus();
});

function announce(data, severity) {
  const region = $(severity === 'critical' ? 'announcer-urgent' : 'announcer');
  const line = document.createElement('p');
  line.textContent = `${LABELS[severity]} alert on ${data.topic}: ${data.title}`;
  region.append(line);
  while (region.children.length > 3) region.firstElementChild.remove();
}

function notificationsSupported() {
  return 'Notification' in window;
}

function notify(data, severity) {
  if (!notificationsSupported() || !prefs().notify || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  const note = new Notification(`${LABELS[severity]}: ${data.title}`, {
    body: [data.body, data.topic].filter(Boolean).join('\n'),
    tag: data.id,
    requireInteraction: severity === 'critical',
  });
  note.onclick = () => {
    window.focus();
    alerts.get(data.id)?.el.focus();
    note.close();
  };
}

function showNotifyState() {
  const button = $('notify');
  const state = $('notify-state');
  if (!notificationsSupported()) {
    button.disabled = true;
    state.textContent = 'Desktop notifications are not supported here.';
    return;
  }
  const on = prefs().notify && Notification.permission === 'granted';
  button.textContent = on ? 'Turn off desktop notifications' : 'Enable desktop notifications';
  button.setAttribute('aria-pressed', String(on));
  state.textContent = Notification.permission === 'denied' ? 'Blocked in the browser\'s settings.'
    : on ? 'On while this page is in the background.' : '';
}

$('notify').addEventListener('click', async () => {
  if (prefs().notify && Notification.permission === 'granted') {
    savePrefs({ notify: false });
  } else {
    const permission = await Notification.requestPermission();
    savePrefs({ notify: permission === 'granted' });
  }
  showNotifyState();
});

// --- small things --------------------------------------------------------------------------------------

function formatTime(ms) {
  if (!Number.isFinite(ms)) return '';
  const date = new Date(ms);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}

function cssId(id) {
  return String(id).replace(/[^A-Za-z0-9_-]/g, '_');
}

// --- boot ----------------------------------------------------------------------------------------------

(function boot() {
  const remembered = prefs();
  if (remembered.user) $('user').value = remembered.user;
  if (remembered.groups) $('groups').value = remembered.groups.join(', ');
  if (remembered.topics?.length) $('signin-topics').value = remembered.topics.join(', ');
  showNotifyState();
  updateCount();
  let active = null;
  try {
    active = JSON.parse(sessionStorage.getItem(SESSION_ITEM));
  } catch (e) {
    active = null;
  }
  if (active?.user && active.topics?.length) {
    start(active).catch(e => {
      $('signin-error').textContent = e.message;
      $('live').hidden = true;
      $('signin').hidden = false;
    });
  }
})();
