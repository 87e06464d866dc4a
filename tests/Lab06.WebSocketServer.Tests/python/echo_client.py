#!/usr/bin/python3
"""Lab 06 interop: python-websockets, a client this course did not write,
against the server's /echo (notebook 06 §10).

    /usr/bin/python3 tests/Lab06.WebSocketServer.Tests/python/echo_client.py ws://127.0.0.1:PORT/echo

Start the server with --max-message-size 17000000 for the 16 MiB messages.
Prints one line per check ("ok ..." or "FAIL ..."); the exit status is 0
when every check passed, 1 when one failed (InteropTests runs it so).
"""
import asyncio
import sys
import time

import websockets

SIZES = [0, 125, 126, 65535, 65536, 16 * 1024 * 1024]
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def text_of(size):
    """ASCII text of exactly size bytes (one byte per character)."""
    return ("0123456789abcdefghijklmnopqrstuvwxyz" * (size // 36 + 1))[:size]


def bytes_of(size):
    return (bytes(range(251)) * (size // 251 + 1))[:size]


async def receive(ws, what):
    return await asyncio.wait_for(ws.recv(), timeout=10)


async def fragments():
    # An async iterator of fragments: websockets sends one message in 3 frames (RFC 6455 §5.4).
    for piece in (b"\x00\x01", b"\x02" * 300, b"\x03"):
        yield piece


async def main(uri):
    # ping_interval=None: the only ping is the test's own; max_size=None: 16 MiB comes back.
    async with websockets.connect(uri, max_size=None, ping_interval=None, open_timeout=5, close_timeout=5) as ws:
        for size in SIZES:
            text = text_of(size)
            await ws.send(text)
            echo = await receive(ws, f"the echo of {size} bytes of text")
            check(isinstance(echo, str) and echo == text, f"text of {size} bytes comes back as the same text")
            data = bytes_of(size)
            await ws.send(data)
            echo = await receive(ws, f"the echo of {size} binary bytes")
            check(isinstance(echo, bytes) and echo == data, f"binary of {size} bytes comes back as the same bytes")

        pong = await ws.ping(b"lab06 ping")
        try:
            await asyncio.wait_for(pong, timeout=5)
            check(True, "a ping is answered with a pong carrying its payload")
        except asyncio.TimeoutError:
            check(False, "a ping is answered with a pong carrying its payload (no pong within 5 s)")

        await ws.send(["frag", "men", "ted"])
        echo = await receive(ws, "the echo of a text message in 3 fragments")
        check(echo == "fragmented", f"a text message sent in 3 fragments comes back whole (got {echo!r:.40})")
        await ws.send(fragments())
        echo = await receive(ws, "the echo of a binary message in 3 fragments")
        check(echo == b"\x00\x01" + b"\x02" * 300 + b"\x03", "a binary message sent in 3 fragments (an async iterator) comes back whole")

        started = time.monotonic()
        await ws.close(code=1000, reason="bye")
        took = time.monotonic() - started
        check(ws.close_code == 1000, f"the server answers the close with 1000 (got {ws.close_code})")
        # websockets waits for the server to close TCP first (RFC 6455 §7.1.1) for up to close_timeout.
        check(took < 2, f"the closing handshake and the server's FIN took {took:.2f} s (under 2 s)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: echo_client.py ws://127.0.0.1:PORT/echo")
    try:
        asyncio.run(main(sys.argv[1]))
    except Exception as e:  # any failure is a failed check, with its type and message
        check(False, f"{type(e).__name__}: {e}")
    print(f"{len(failures)} check(s) failed" if failures else "all checks passed", flush=True)
    sys.exit(1 if failures else 0)
