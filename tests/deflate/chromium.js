// Chromium's native WebSocket negotiates permessage-deflate with
// `sockjs-testserver --deflate` and echoes through it, on the raw and the
// SockJS endpoint: short messages (sent plain) and large ones (compressed
// both ways; a bad compressed frame would make Chromium fail the socket).
// Reuses the browser tests' harness (tests/browser/lib, installed by
// `scripts/install-deps.sh --browser`).
'use strict';

const h = require('../browser/lib/harness');

async function main() {
  const testserver = process.argv[2];
  h.checkPrerequisites();
  const results = new h.Results();
  const { port } = await h.startServer(
    testserver, ['--host', '127.0.0.1', '--port', '0', '--deflate'],
    /listening on http:\/\/[^:]+:(\d+)/);
  const browser = await h.launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto('http://127.0.0.1:' + port + '/echo');
    const big = 'permessage-deflate '.repeat(2000) + '\u00e9\u{1f600}';
    const run = (url, sockjs) => page.evaluate(async ({ url, big, sockjs }) => {
      const ws = new WebSocket(url);
      const queue = [];
      let wake = null;
      ws.onmessage = (e) => { queue.push(e.data); if (wake) wake(); };
      const next = async () => {
        while (!queue.length) await new Promise((r) => { wake = r; });
        return queue.shift();
      };
      await new Promise((res, rej) => {
        ws.onopen = res;
        ws.onerror = () => rej(new Error('websocket error'));
      });
      const out = { extensions: ws.extensions, echoes: [] };
      if (sockjs) out.open = await next();
      for (const msg of ['hi', big, 'hi again', big]) {
        ws.send(sockjs ? JSON.stringify([msg]) : msg);
        out.echoes.push(await next());
      }
      ws.close();
      return out;
    }, { url, big, sockjs });

    const base = 'ws://127.0.0.1:' + port;
    const raw = await run(base + '/echo/websocket', false);
    results.record('raw: extension negotiated', raw.extensions.startsWith('permessage-deflate'),
                   JSON.stringify(raw.extensions));
    results.record('raw: echoes through deflate',
                   JSON.stringify(raw.echoes) === JSON.stringify(['hi', big, 'hi again', big]));
    const sj = await run(base + '/echo/000/deflate/websocket', true);
    results.record('sockjs: extension negotiated', sj.extensions.startsWith('permessage-deflate'),
                   JSON.stringify(sj.extensions));
    // a[...] frames, decoded (the server escapes some characters, as
    // sockjs-node does, so compare the JSON values).
    const decoded = sj.echoes.map((e) => (e[0] === 'a' ? JSON.parse(e.slice(1)) : e));
    results.record('sockjs: o and a[...] frames through deflate',
                   sj.open === 'o' && JSON.stringify(decoded) ===
                   JSON.stringify([['hi'], [big], ['hi again'], [big]]));
  } finally {
    await browser.close();
  }
  return results.finish();
}

h.run(main, 60000);
