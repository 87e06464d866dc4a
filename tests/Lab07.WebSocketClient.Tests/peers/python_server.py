#!/usr/bin/python3
"""A python-websockets server for Lab 07's interop tests (notebook 07 §9).

Run with Debian's python3-websockets (10.4, the "legacy" asyncio API):

    /usr/bin/python3 python_server.py [LIFETIME_SECONDS]

It listens on 127.0.0.1, on a port the OS picks, and prints that port alone
on the first line of standard output. Then one JSON object per line says
what it saw, so a test can prove what happened on the server's side:

    {"path": "/ping", "event": "pongs", "count": 3}
    {"path": "/echo", "event": "closed", "received": {"code": 4001, "reason": "bye"}, "sent": {...}}

What each path does (the query string sets the numbers):

    /echo                        every message back with its type, until the close
    /fragments?size=K            every message back in frames of K characters (text) or bytes
                                 (binary), with a ping between the first two frames
    /ping?count=N                N pings, each waiting for its pong (5 s), then the text
                                 "pongs: N of N", then echo
    /close?code=C&reason=R       a close with C and R right after the handshake

It exits when standard input ends (the test closes it, or kills the
process), or after LIFETIME_SECONDS (60), whichever comes first.
"""

import asyncio
import json
import os
import sys
from urllib.parse import parse_qs, urlsplit

import websockets

PONG_TIMEOUT = 5


def report(path, event, **fields):
    print(json.dumps({"path": path, "event": event, **fields}), flush=True)


def status(close):
    return None if close is None else {"code": close.code, "reason": close.reason}


def chunks(message, size):
    """The message in pieces of `size` characters (str) or bytes: at least one piece."""
    return [message[i:i + size] for i in range(0, len(message), size)] or [message]


async def echo(ws, path, query):
    async for message in ws:
        await ws.send(message)


async def fragments(ws, path, query):
    size = max(1, int(query.get("size", ["1000"])[0]))
    async for message in ws:
        pieces = chunks(message, size)
        pongs = []

        async def frames():
            for i, piece in enumerate(pieces):
                yield piece
                if i == 0:
                    # RFC 6455 §5.4: control frames may come between the fragments of a message.
                    pongs.append(await ws.ping(b"between fragments"))

        # An async iterable: one frame per item, then an empty final frame (FIN).
        await ws.send(frames())
        for waiter in pongs:
            await asyncio.wait_for(waiter, PONG_TIMEOUT)
        text = isinstance(message, str)
        report(path, "fragmented", type="text" if text else "binary",
               length=len(message.encode()) if text else len(message),  # in bytes
               frames=len(pieces) + 1, pongs=len(pongs))


async def ping(ws, path, query):
    count = int(query.get("count", ["3"])[0])
    for i in range(1, count + 1):
        waiter = await ws.ping(f"ping {i}".encode())
        try:
            # python-websockets matches a pong to its ping by the payload (§5.5.3).
            await asyncio.wait_for(waiter, PONG_TIMEOUT)
        except asyncio.TimeoutError:
            report(path, "no pong", ping=i)
            await ws.close(1011, f"no pong to ping {i}")
            return
    report(path, "pongs", count=count)
    await ws.send(f"pongs: {count} of {count}")
    await echo(ws, path, query)


async def close(ws, path, query):
    code = int(query.get("code", ["1000"])[0])
    reason = query.get("reason", [""])[0]
    await ws.close(code, reason)


PATHS = {"/echo": echo, "/fragments": fragments, "/ping": ping, "/close": close}


async def handler(ws):
    target = urlsplit(ws.path)
    path, query = target.path, parse_qs(target.query)
    behaviour = PATHS.get(path)
    try:
        if behaviour is None:
            await ws.close(4404, f"no such path: {path}")
        else:
            await behaviour(ws, path, query)
    except websockets.ConnectionClosed:
        pass
    except Exception as e:  # reported, so that the test's failure message shows it
        report(path, "error", error=f"{type(e).__name__}: {e}")
        raise
    finally:
        await ws.wait_closed()
        report(path, "closed", received=status(ws.close_rcvd), sent=status(ws.close_sent),
               received_then_sent=ws.close_rcvd_then_sent)


async def main():
    lifetime = float(sys.argv[1]) if len(sys.argv) > 1 else 60
    server = await websockets.serve(
        handler, "127.0.0.1", 0,
        max_size=32 * 1024 * 1024,  # the tests send 16 MiB; the default is 1 MiB
        ping_interval=None,          # pings only where a path asks for them
        compression=None,            # the client offers no extension anyway
        close_timeout=5,
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    stdin_ended = loop.run_in_executor(None, sys.stdin.buffer.read)
    await asyncio.wait([stdin_ended], timeout=lifetime)
    # The thread still blocked on stdin (after the lifetime) would keep
    # asyncio.run, and the interpreter, waiting: leave now.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
