#!/usr/bin/env node
// End-to-end test of every SockJS transport in headless Chromium against
// sockjs-testserver, or any server with its services, flags and output line:
//   node transports.js <path/to/sockjs-testserver> [transport ...]
//   node transports.js [transport ...] -- <command> [arg ...]
// The second form runs a binding's testserver (e.g. `-- python3 testserver.py`);
// either way the script appends --host, --port 0 and --sockjs-url.
// Per transport, in a fresh browser context: connect to /echo with only
// that transport, check sock.transport, echo unicode, a 64 KiB message and
// a 200-message burst in order, then see /close end with 3000 "Go away!".
'use strict';

const path = require('path');
const h = require('./lib/harness');

const ALL = ['websocket', 'xhr-streaming', 'xhr-polling', 'eventsource', 'iframe-eventsource',
             'iframe-htmlfile', 'iframe-xhr-polling', 'jsonp-polling'];
const PER_TRANSPORT_MS = 30000;
// An interpreter (Python, Ruby) on a busy machine needs longer than the C
// server to print its port; the deadline's 30 s start-up share covers it.
const SERVER_START_MS = 20000;
// The receiving URL of each streaming transport. /echo ends a streaming
// response after 4096 bytes, so the 64 KiB message and the burst must have
// made the client reconnect: more than one such request is expected.
const STREAMING_PATH = {
  'xhr-streaming': 'xhr_streaming', 'eventsource': 'eventsource',
  'iframe-eventsource': 'eventsource', 'iframe-htmlfile': 'htmlfile',
};

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// {command: [program, ...args], transports: [...]} from the command line.
function parseArgs(argv) {
  const dash = argv.indexOf('--');
  const [command, wanted] = dash >= 0 ? [argv.slice(dash + 1), argv.slice(0, dash)]
                                      : [argv.slice(0, 1), argv.slice(1)];
  return { command, transports: wanted.length ? wanted : ALL };
}

async function main() {
  const { command, transports } = parseArgs(process.argv.slice(2));
  if (!command.length) {
    throw new Error('usage: node transports.js <sockjs-testserver> [transport ...]\n' +
                    '       node transports.js [transport ...] -- <command> [arg ...]');
  }
  const unknown = transports.filter((t) => !ALL.includes(t));
  if (unknown.length) throw new Error('unknown transport: ' + unknown.join(', '));
  h.checkPrerequisites();

  // The page comes from this origin; the SockJS server is another one.
  const page = path.join(__dirname, 'page');
  const web = await h.startStaticServer({
    '/e2e.html': path.join(page, 'e2e.html'),
    '/e2e-client.js': path.join(page, 'e2e-client.js'),
    '/sockjs.min.js': h.SOCKJS_MIN_JS,
  });
  const webOrigin = 'http://127.0.0.1:' + web.port;
  const sockjs = await h.startServer(command[0], [
    ...command.slice(1),
    '--host', '127.0.0.1', '--port', '0', '--sockjs-url', webOrigin + '/sockjs.min.js',
  ], /listening on http:\/\/[^:]+:(\d+)/, SERVER_START_MS);
  const base = 'http://127.0.0.1:' + sockjs.port;

  const results = new h.Results();
  const browser = await h.launchChromium();
  try {
    for (const transport of transports) {
      const started = Date.now();
      const context = await browser.newContext();
      const pageErrors = [];
      try {
        const tab = await context.newPage();
        tab.on('pageerror', (e) => pageErrors.push(e.message));
        let receives = 0;  // requests (iframes included) to the streaming URL
        context.on('request', (r) => {
          if (process.env.E2E_DEBUG) console.log('     request ' + r.method() + ' ' + r.url());
          const p = new URL(r.url()).pathname;
          if (p.startsWith('/echo/') && p.endsWith('/' + STREAMING_PATH[transport])) receives++;
        });
        tab.setDefaultTimeout(PER_TRANSPORT_MS);
        await tab.goto(webOrigin + '/e2e.html');
        const checks = await withTimeout(tab.evaluate(async ([b, t]) => [
          ...(await window.e2e.echo(b, t)),
          ...(await window.e2e.close(b, t)),
        ], [base, transport]), PER_TRANSPORT_MS, transport + ' took over ' + PER_TRANSPORT_MS + ' ms');
        for (const c of checks) results.record(transport + ' ' + c.name, c.ok, c.detail);
        if (STREAMING_PATH[transport])
          results.record(transport + ' reconnected', receives > 1, receives + ' streaming requests');
      } catch (e) {
        results.record(transport, false, String(e.message || e).split('\n')[0]);
      } finally {
        await context.close();
      }
      if (pageErrors.length) results.record(transport + ' no-page-errors', false, pageErrors.join('; '));
      console.log('     ' + transport + ' took ' + (Date.now() - started) + ' ms');
    }
  } finally {
    await browser.close();
    web.server.close();
  }
  return results.finish();
}

// Hard bound for the whole run (below CTest's TIMEOUT, so the cleanup runs):
// start-up plus every transport's share.
const count = parseArgs(process.argv.slice(2)).transports.length;
h.run(main, 30000 + count * (PER_TRANSPORT_MS + 5000));
