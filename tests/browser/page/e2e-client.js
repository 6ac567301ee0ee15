// Runs in the browser. window.e2e.* open a SockJS connection with exactly
// one transport, exercise it, and resolve with a list of checks
// {name, ok, detail} for the Node driver to report.
'use strict';

(function () {
  // Messages that must survive JSON framing in every transport: non-ASCII,
  // characters that JavaScript or HTML treat specially, control characters.
  const UNICODE = [
    'hello',
    'emoji 😀🎉 and accents héllo wörld, 日本語, Ωμέγα',
    'line separators \u2028 and \u2029 inside',
    'controls \u0001\u0002\u001f \n\r\t end',
    'nul \u0000 byte',
    'quotes " \' and backslash \\ and slash /',
    '</script><script>window.injected = 1</script>',
    'specials \ufffe\uffff \u0300\u0301 \ufeff',
  ];

  // Printable form of a string for failure messages.
  function show(s) {
    const head = s.length > 80 ? s.slice(0, 80) + '…(' + s.length + ' chars)' : s;
    return JSON.stringify(head).replace(/[\u007f-\uffff]/g,
      (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  }

  // n characters of counting text, so a lost or moved chunk shows.
  function big(n) {
    let s = '';
    for (let i = 0; s.length < n; ++i) s += i + ',';
    return s.slice(0, n);
  }

  // Opens a connection and collects what arrives.
  function open(url, transport) {
    const sock = new SockJS(url, null, { transports: [transport] });
    const state = { sock, received: [], opened: false, closed: null, waiters: [] };
    const notify = () => state.waiters.slice().forEach((w) => w());
    sock.onopen = () => { state.opened = true; notify(); };
    sock.onmessage = (e) => { state.received.push(e.data); notify(); };
    sock.onclose = (e) => { state.closed = { code: e.code, reason: e.reason }; notify(); };
    return state;
  }

  // Resolves once cond() holds; rejects after ms or if the socket closed.
  function until(state, cond, ms, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (cond()) { done(); resolve(); return true; }
        if (state.closed) {
          done();
          reject(new Error(what + ': closed ' + state.closed.code + ' ' + state.closed.reason));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(what + ': timed out after ' + ms + ' ms (' +
                         state.received.length + ' messages so far)'));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        state.waiters = state.waiters.filter((w) => w !== check);
      };
      if (!check()) state.waiters.push(check);
    });
  }

  // Sends msgs and waits for the same number back; returns what came.
  async function roundTrip(state, msgs, ms, what) {
    const start = state.received.length;
    msgs.forEach((m) => state.sock.send(m));
    await until(state, () => state.received.length >= start + msgs.length, ms, what);
    return state.received.slice(start, start + msgs.length);
  }

  function compare(name, sent, got) {
    for (let i = 0; i < sent.length; ++i) {
      if (got[i] !== sent[i])
        return { name, ok: false,
                 detail: 'message ' + i + ': sent ' + show(sent[i]) + ', got ' + show(got[i]) };
    }
    return { name, ok: true, detail: sent.length + ' messages' };
  }

  // Runs named steps in order; a failing step fails the ones after it too
  // (they need the connection), with the reason.
  async function steps(list) {
    const results = [];
    let broken = null;
    for (const [name, fn] of list) {
      if (broken) { results.push({ name, ok: false, detail: 'skipped: ' + broken }); continue; }
      try {
        const r = await fn();
        results.push(Object.assign({ name }, r));
        if (!r.ok) broken = name + ' failed';
      } catch (e) {
        results.push({ name, ok: false, detail: String(e.message || e) });
        broken = name + ' failed';
      }
    }
    return results;
  }

  async function echo(base, transport) {
    const state = open(base + '/echo', transport);
    const results = await steps([
      ['open', async () => {
        await until(state, () => state.opened, 15000, 'open');
        const t = state.sock.transport;
        return { ok: t === transport, detail: 'sock.transport = ' + t };
      }],
      ['unicode', async () =>
        compare('unicode', UNICODE, await roundTrip(state, UNICODE, 10000, 'unicode'))],
      ['64KiB', async () => {
        const msg = big(65536);
        return compare('64KiB', [msg], await roundTrip(state, [msg], 10000, '64KiB'));
      }],
      ['burst200', async () => {
        const msgs = Array.from({ length: 200 }, (_, i) => 'burst ' + i + ' ' + '#'.repeat(i % 50));
        return compare('burst200', msgs, await roundTrip(state, msgs, 15000, 'burst'));
      }],
      ['same-transport', async () => {
        // Streaming transports reconnected during the burst (the server's
        // response_limit is 4096); the session must still be this transport.
        const t = state.sock.transport;
        return { ok: t === transport && state.sock.readyState === SockJS.OPEN,
                 detail: 'sock.transport = ' + t + ', readyState = ' + state.sock.readyState };
      }],
    ]);
    state.sock.close();
    return results;
  }

  async function close(base, transport) {
    const state = open(base + '/close', transport);
    let openedWith = null;
    state.sock.addEventListener('open', () => { openedWith = state.sock.transport; });
    return steps([
      ['close-3000', async () => {
        await until(state, () => state.closed, 15000, 'close');
        const c = state.closed;
        const ok = state.opened && openedWith === transport && c.code === 3000 &&
                   c.reason === 'Go away!';
        return { ok, detail: 'opened via ' + openedWith + ', closed ' + c.code + ' ' +
                             JSON.stringify(c.reason) };
      }],
    ]);
  }

  window.e2e = { echo, close };
})();
