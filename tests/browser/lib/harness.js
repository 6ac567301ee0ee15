// Shared by the browser tests: child servers that print their port,
// a tiny static file server, headless Chromium, and result counting.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const NODE_MODULES = path.join(__dirname, '..', 'node_modules');
const SOCKJS_MIN_JS = path.join(NODE_MODULES, 'sockjs-client', 'dist', 'sockjs.min.js');

// Fails early, with the fix, when the install step did not run.
function checkPrerequisites() {
  const missing = [];
  if (!fs.existsSync(CHROMIUM)) missing.push(CHROMIUM);
  if (!fs.existsSync(SOCKJS_MIN_JS)) missing.push(SOCKJS_MIN_JS);
  if (!fs.existsSync(path.join(NODE_MODULES, 'playwright-core'))) missing.push('playwright-core');
  if (missing.length) {
    console.error('missing: ' + missing.join(', ') + '\nrun: scripts/install-deps.sh --browser');
    process.exit(1);
  }
}

const children = new Set();

// Starts a program and resolves with {child, port} once a stdout line
// matches `pattern` (its first group is the port).
function startServer(exe, args, pattern, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    let buffered = '';
    const timer = setTimeout(() => fail(new Error(exe + ' printed no port in time')), timeoutMs);
    const fail = (err) => { clearTimeout(timer); stopProcess(child); reject(err); };
    child.on('error', fail);
    child.on('exit', (code, sig) => {
      children.delete(child);
      fail(new Error(path.basename(exe) + ' exited early (' + (sig || code) + ')'));
    });
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const m = pattern.exec(buffered);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.on('exit', () => children.delete(child));
      child.stdout.resume();  // keep draining whatever it prints later
      resolve({ child, port: Number(m[1]) });
    });
  });
}

// SIGINT (the servers close gracefully), then SIGKILL if it lingers.
function stopProcess(child, graceMs = 3000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGINT');
  });
}

// Serves fixed files on 127.0.0.1, a port of its own: routes maps a URL
// path to a file path.
function startStaticServer(routes) {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'application/javascript; charset=utf-8' };
  const server = http.createServer((req, res) => {
    const file = routes[new URL(req.url, 'http://x').pathname];
    if (req.method !== 'GET' || !file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(500); res.end(String(err)); return; }
      res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream',
                           'Cache-Control': 'no-store' });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port }));
  });
}

// Headless Debian Chromium; Playwright gives it a fresh temporary profile
// (user-data-dir) and removes it on close. Never downloads a browser.
async function launchChromium() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    timeout: 30000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Counts checks and prints the closing "N passed, N failed" line.
class Results {
  constructor() { this.passed = 0; this.failed = 0; }
  record(name, ok, detail) {
    if (ok) this.passed++; else this.failed++;
    console.log((ok ? 'PASS ' : 'FAIL ') + name + (detail ? ' - ' + detail : ''));
  }
  finish() {
    console.log(this.passed + ' passed, ' + this.failed + ' failed');
    return this.failed === 0 && this.passed > 0 ? 0 : 1;
  }
}

// Runs main() under a hard deadline and always stops the children.
function run(main, deadlineMs) {
  const stopAll = () => Promise.all([...children].map((c) => stopProcess(c)));
  const watchdog = setTimeout(async () => {
    console.error('FAIL deadline of ' + deadlineMs + ' ms passed');
    await stopAll();
    process.exit(1);
  }, deadlineMs);
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.on(sig, async () => { await stopAll(); process.exit(1); });
  main()
    .catch((e) => { console.error('FAIL ' + (e.stack || e)); return 1; })
    .then(async (code) => {
      clearTimeout(watchdog);
      await stopAll();
      process.exit(code);
    });
}

module.exports = { CHROMIUM, SOCKJS_MIN_JS, checkPrerequisites, startServer, stopProcess,
                   startStaticServer, launchChromium, Results, run };
