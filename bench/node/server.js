// sockjs-node reference server for bench/compare: the same services as
// libsockjs's sockjs-testserver (/echo with response_limit 4096, /broadcast,
// raw WebSocket on /echo/websocket), printing the same "listening" line so
// the bench driver treats both servers alike.
//   node server.js --host 127.0.0.1 --port 0
'use strict';
const http = require('http');
const sockjs = require('sockjs');

let host = '127.0.0.1';
let port = 0;
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--host') host = process.argv[++i];
  else if (process.argv[i] === '--port') port = Number(process.argv[++i]);
}

const quiet = {log: () => {}};  // sockjs-node logs every request by default

const echo = sockjs.createServer(Object.assign({response_limit: 4096}, quiet));
echo.on('connection', (conn) => {
  conn.on('data', (msg) => conn.write(msg));
});

const broadcast = sockjs.createServer(quiet);
const members = new Set();
broadcast.on('connection', (conn) => {
  members.add(conn);
  conn.on('data', (msg) => {
    for (const m of members) m.write(msg);
  });
  conn.on('close', () => members.delete(conn));
});

const server = http.createServer();
echo.installHandlers(server, {prefix: '/echo'});
broadcast.installHandlers(server, {prefix: '/broadcast'});
server.listen(port, host, () => {
  console.log(`sockjs-node listening on http://${host}:${server.address().port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', () => process.exit(0));
