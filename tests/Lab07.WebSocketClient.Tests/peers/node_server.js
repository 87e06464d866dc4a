'use strict';
// A server on Node's `ws` package for Lab 07's interop tests (notebook 07 §9).
//
// Run with Debian's node-ws (8.11):
//
//     NODE_PATH=/usr/share/nodejs /usr/bin/node node_server.js [LIFETIME_SECONDS]
//
// It listens on 127.0.0.1, on a port the OS picks, and prints that port
// alone on the first line of standard output. Then one JSON object per line
// says what it saw, so a test can prove what happened on the server's side:
//
//     {"path":"/ping","event":"pongs","count":3}
//     {"path":"/echo","event":"closed","received":{"code":4001,"reason":"bye"}}
//
// What each path does (the query string sets the numbers):
//
//     /echo                     every message back with its type, until the close
//     /fragments?size=K         every message back in frames of K bytes (a text message
//                               may be cut inside a character), with a ping between the
//                               first two frames
//     /ping?count=N             N pings, each waiting for its pong (5 s), then the text
//                               "pongs: N of N", then echo
//     /close?code=C&reason=R    a close with C and R right after the handshake
//
// It exits when standard input ends (the test closes it, or kills the
// process), or after LIFETIME_SECONDS (60), whichever comes first.

const { WebSocketServer } = require('ws');

const PONG_TIMEOUT_MS = 5000;
const lifetime = Number(process.argv[2] ?? 60);

function report(path, event, fields = {}) {
  process.stdout.write(JSON.stringify({ path, event, ...fields }) + '\n');
}

function echo(ws) {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}

function fragments(ws, path, query) {
  const size = Math.max(1, Number(query.get('size') ?? 1000));
  ws.on('message', (data, isBinary) => {
    const pieces = [];
    for (let at = 0; at < data.length; at += size) pieces.push(data.subarray(at, at + size));
    if (pieces.length === 0) pieces.push(data);
    const payload = Buffer.from('between fragments');
    let pongs = 0;
    const timer = setTimeout(() => {
      report(path, 'no pong', { between: 'fragments' });
      ws.close(1011, 'no pong to the ping between fragments');
    }, PONG_TIMEOUT_MS);
    const onPong = (pong) => {
      if (!pong.equals(payload)) return;
      pongs++;
      clearTimeout(timer);
      ws.off('pong', onPong);
      report(path, 'fragmented', {
        type: isBinary ? 'binary' : 'text', length: data.length, frames: pieces.length, pongs,
      });
    };
    ws.on('pong', onPong);
    pieces.forEach((piece, i) => {
      // fin: false keeps the message open; ws sends the later pieces as continuation frames.
      ws.send(piece, { binary: isBinary, fin: i === pieces.length - 1 });
      // RFC 6455 §5.4: control frames may come between the fragments of a message.
      if (i === 0) ws.ping(payload);
    });
  });
}

function ping(ws, path, query) {
  const count = Number(query.get('count') ?? 3);
  let sent = 0;
  let timer;
  const next = () => {
    if (sent === count) {
      ws.off('pong', onPong);
      report(path, 'pongs', { count });
      ws.send(`pongs: ${count} of ${count}`);
      echo(ws);
      return;
    }
    sent++;
    timer = setTimeout(() => {
      report(path, 'no pong', { ping: sent });
      ws.close(1011, `no pong to ping ${sent}`);
    }, PONG_TIMEOUT_MS);
    ws.ping(Buffer.from(`ping ${sent}`));
  };
  // ws does not match pongs to pings: this server checks the payload itself (§5.5.3).
  const onPong = (data) => {
    if (data.toString() !== `ping ${sent}`) return;
    clearTimeout(timer);
    next();
  };
  ws.on('pong', onPong);
  ws.on('close', () => clearTimeout(timer));
  next();
}

function close(ws, path, query) {
  ws.close(Number(query.get('code') ?? 1000), query.get('reason') ?? '');
}

const paths = { '/echo': echo, '/fragments': fragments, '/ping': ping, '/close': close };

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  maxPayload: 32 * 1024 * 1024, // the tests send 16 MiB (the default, 100 MiB, would do too)
  perMessageDeflate: false,
});

server.on('listening', () => process.stdout.write(`${server.address().port}\n`));

server.on('connection', (ws, request) => {
  const url = new URL(request.url, 'http://127.0.0.1');
  const path = url.pathname;
  ws.on('error', (e) => report(path, 'error', { error: String(e) }));
  // The code and reason of the close frame that came (1005: one with no code; 1006: none came).
  ws.on('close', (code, reason) => report(path, 'closed', { received: { code, reason: reason.toString() } }));
  const behaviour = paths[path];
  if (behaviour) behaviour(ws, path, url.searchParams);
  else ws.close(4404, `no such path: ${path}`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), lifetime * 1000).unref();
