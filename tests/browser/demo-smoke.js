#!/usr/bin/env node
// Smoke test of sockjs-demo in headless Chromium:
//   node demo-smoke.js <path/to/sockjs-demo>
// Starts the demo on a free port, loads its page (served by the demo
// itself, with sockjs.min.js from its default static directory), sends a
// message from the form and sees it echoed on /echo and broadcast on
// /chat, also to a second tab. Then Ctrl-C must end the demo cleanly.
'use strict';

const h = require('./lib/harness');

// Transports to try: '' lets SockJS choose (websocket in Chromium);
// htmlfile works only same-origin, which the demo page is; the iframe one
// loads the demo's own /sockjs.min.js inside the iframe.
const CASES = [['', 'websocket'], ['htmlfile', 'htmlfile'], ['iframe-eventsource', 'iframe-eventsource']];

async function waitOpen(tab, service) {
  const status = tab.locator('#' + service + '-status[data-state="open"]');
  await status.waitFor({ timeout: 15000 });
  return status.textContent();
}

async function main() {
  const demo = process.argv[2];
  if (!demo) throw new Error('usage: node demo-smoke.js <sockjs-demo>');
  h.checkPrerequisites();
  const server = await h.startServer(demo, ['--host', '127.0.0.1', '--port', '0'],
                                     /Demo running at http:\/\/[^:]+:(\d+)\//);
  const url = 'http://127.0.0.1:' + server.port + '/';
  const results = new h.Results();
  const browser = await h.launchChromium();
  try {
    for (const [choice, expected] of CASES) {
      const label = 'demo ' + (choice || 'auto');
      const context = await browser.newContext();
      try {
        const [sender, listener] = [await context.newPage(), await context.newPage()];
        for (const tab of [sender, listener]) {
          tab.setDefaultTimeout(15000);
          await tab.goto(url + (choice ? '?transport=' + choice : ''));
        }
        for (const service of ['echo', 'chat']) {
          const text = await waitOpen(sender, service);
          results.record(label + ' ' + service + ' open', text === 'open via ' + expected, text);
        }
        await waitOpen(listener, 'chat');

        const message = 'hello from ' + label + ' ✓ ' + Date.now();
        await sender.fill('#text', message);
        await sender.press('#text', 'Enter');
        for (const [tab, list, what] of [[sender, '#echo-log', 'echoed'],
                                         [sender, '#chat-log', 'broadcast to sender'],
                                         [listener, '#chat-log', 'broadcast to second tab']]) {
          const item = tab.locator(list + ' li', { hasText: message });
          const seen = await item.waitFor({ timeout: 10000 }).then(() => true, () => false);
          results.record(label + ' ' + what, seen, seen ? '' : 'not shown in ' + list);
        }
        const echoed = await sender.locator('#echo-log li').allTextContents();
        results.record(label + ' echo once', echoed.length === 1 && echoed[0] === message,
                       JSON.stringify(echoed));
      } catch (e) {
        results.record(label, false, String(e.message || e).split('\n')[0]);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  // Ctrl-C: the demo closes the server and exits 0.
  await h.stopProcess(server.child, 5000);
  const c = server.child;
  results.record('demo exits cleanly on SIGINT', c.exitCode === 0,
                 'exit ' + (c.signalCode || c.exitCode));
  return results.finish();
}

h.run(main, 2 * 60 * 1000);
