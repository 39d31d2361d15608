'use strict';
// What the benchmark's scripts read from a running Tocsin over HTTP (loopback only).

const http = require('http');

// The body of a GET answered with 200, or null (refused, another status, or no answer in time).
function get(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? body : null));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
  });
}

// One metric's value from /metrics (Prometheus text, tags ignored), or null when it is not there.
// A server holding 19,000 connections may take seconds to answer.
async function metric(origin, name, scope = 'application') {
  const text = (await get(`${origin}/metrics?scope=${scope}`, 15000)) || '';
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

module.exports = { get, metric };
