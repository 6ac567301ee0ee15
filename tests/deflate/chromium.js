// Chromium's native WebSocket negotiates permessage-deflate with
// `sockjs-testserver --deflate` and echoes through it, on the raw and the
// SockJS endpoint: short messages (sent plain) and large ones (compressed
// both ways; a bad compressed frame would make Chromium fail the socket).
// Chromium talks to the server through a small TCP relay here that reads
// the server's frame headers, to see RSV1 set on exactly the large ones.
// Reuses the browser tests' harness (tests/browser/lib, installed by
// `scripts/install-deps.sh --browser`).
'use strict';

const net = require('net');
const h = require('../browser/lib/harness');

// Relays 127.0.0.1:<returned port> to the server; per connection, records
// [rsv1, opcode, payload length] of each server frame after the 101 head.
function startRelay(serverPort, connections) {
  const relay = net.createServer((client) => {
    const frames = [];
    connections.push(frames);
    let buf = Buffer.alloc(0);
    let inFrames = false;
    const upstream = net.connect(serverPort, '127.0.0.1');
    client.pipe(upstream);
    upstream.on('data', (d) => {
      client.write(d);
      buf = Buffer.concat([buf, d]);
      if (!inFrames) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        buf = buf.subarray(end + 4);
        inFrames = true;
      }
      for (;;) {
        if (buf.length < 2) return;
        let len = buf[1] & 0x7f;
        let hdr = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          hdr = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          hdr = 10;
        }
        if (buf.length < hdr + len) return;
        frames.push([(buf[0] & 0x40) !== 0, buf[0] & 0x0f, len]);
        buf = buf.subarray(hdr + len);
      }
    });
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return new Promise((resolve) => relay.listen(0, '127.0.0.1', () => resolve(relay)));
}

async function main() {
  const testserver = process.argv[2];
  h.checkPrerequisites();
  const results = new h.Results();
  const { port } = await h.startServer(
    testserver, ['--host', '127.0.0.1', '--port', '0', '--deflate'],
    /listening on http:\/\/[^:]+:(\d+)/);
  const connections = [];
  const relay = await startRelay(port, connections);
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

    const base = 'ws://127.0.0.1:' + relay.address().port;
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
    // Data frames of each connection: the two large echoes compressed,
    // the short ones ("hi", "o", a["hi"]) plain.
    const data = connections.map((c) => c.filter(([, op]) => op === 1));
    results.record('server compressed exactly the large messages',
                   data.length === 2 &&
                   JSON.stringify(data[0].map(([z]) => z)) === '[false,true,false,true]' &&
                   JSON.stringify(data[1].map(([z]) => z)) === '[false,false,true,false,true]',
                   JSON.stringify(data));
  } finally {
    await browser.close();
    relay.close();
  }
  return results.finish();
}

h.run(main, 60000);
