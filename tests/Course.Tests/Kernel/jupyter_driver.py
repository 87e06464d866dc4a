"""Drives the course kernel through jupyter_client, a Jupyter client this
course did not write (Debian's python3-jupyter-client), for the C# protocol
tests (JupyterProtocolTests.cs).

It reads one JSON command per line on stdin and answers one JSON line on
stdout. Every wait is bounded. Usage:

    python3 jupyter_driver.py KERNEL_NAME   (with JUPYTER_DATA_DIR pointing at the kernelspec)
"""
import json
import queue
import sys
import time

import jupyter_client
from jupyter_client.session import Session


def answer(obj):
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


def collect(kc, msg_id, timeout):
    """The reply to msg_id and its IOPub messages up to status idle."""
    deadline = time.monotonic() + timeout
    reply, iopub = None, []
    idle = False
    while (reply is None or not idle) and time.monotonic() < deadline:
        if reply is None:
            try:
                msg = kc.get_shell_msg(timeout=0.05)
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg
            except queue.Empty:
                pass
        try:
            msg = kc.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        iopub.append({"msg_type": msg["msg_type"], "content": msg["content"], "t": time.monotonic()})
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            idle = True
    return {
        "reply": reply and {"msg_type": reply["msg_type"], "content": reply["content"], "t": time.monotonic()},
        "iopub": iopub,
        "timed_out": reply is None or not idle,
    }


def main():
    kernel_name = sys.argv[1]
    km = jupyter_client.KernelManager(kernel_name=kernel_name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        for line in sys.stdin:
            cmd = json.loads(line)
            op = cmd["op"]
            timeout = cmd.get("timeout", 30)
            if op == "wait_for_ready":
                try:
                    kc.wait_for_ready(timeout=timeout)
                    answer({"ok": True})
                except RuntimeError as e:
                    answer({"ok": False, "error": str(e)})
            elif op == "kernel_info":
                answer(collect(kc, kc.kernel_info(), timeout))
            elif op == "execute":
                msg_id = kc.execute(cmd["code"], stop_on_error=cmd.get("stop_on_error", True))
                answer(collect(kc, msg_id, timeout))
            elif op == "execute_until_output":
                # Start a cell and return once its stdout shows the text: it is running.
                msg_id = kc.execute(cmd["code"])
                deadline = time.monotonic() + timeout
                seen = False
                while not seen and time.monotonic() < deadline:
                    try:
                        msg = kc.get_iopub_msg(timeout=0.05)
                    except queue.Empty:
                        continue
                    seen = (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream"
                            and cmd["text"] in msg["content"]["text"])
                answer({"msg_id": msg_id, "seen": seen})
            elif op == "collect":
                answer(collect(kc, cmd["msg_id"], timeout))
            elif op == "interrupt":
                km.interrupt_kernel()  # the kernelspec says interrupt_mode "message": an interrupt_request on control
                answer({"ok": True})
            elif op == "is_complete":
                answer(collect(kc, kc.is_complete(cmd["code"]), timeout))
            elif op == "complete":
                answer(collect(kc, kc.complete(cmd["code"], cmd["cursor_pos"]), timeout))
            elif op == "inspect":
                answer(collect(kc, kc.inspect(cmd["code"], cmd["cursor_pos"]), timeout))
            elif op == "execute_signed_with_wrong_key":
                # The same request, signed with a key the kernel does not know.
                forged = Session(key=b"not-the-key", username="intruder")
                msg = forged.msg("execute_request", {
                    "code": cmd["code"], "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True,
                })
                forged.send(kc.shell_channel.socket, msg)
                answer(collect(kc, msg["header"]["msg_id"], timeout))
            elif op == "shutdown":
                kc.shutdown()  # a shutdown_request; the kernel must exit by itself
                deadline = time.monotonic() + timeout
                while km.is_alive() and time.monotonic() < deadline:
                    time.sleep(0.05)
                answer({"alive": km.is_alive()})
            elif op == "restart":
                km.restart_kernel(now=False)  # shutdown_request with restart=True, then a new kernel process
                kc.wait_for_ready(timeout=timeout)
                answer({"ok": True, "alive": km.is_alive()})
            elif op == "quit":
                answer({"ok": True})
                break
            else:
                answer({"error": "unknown op " + op})
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
