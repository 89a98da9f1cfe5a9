"""Run code in a real kernel through its websocket, as JupyterLab does."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass


@dataclass
class KernelRun:
    """What code run in a kernel printed, and the error it raised, if any."""

    stdout: str = ""
    error: str = ""


def kernel_execute(
    ws_url: str, code: str, username: str = "", timeout: float = 120, **connect
) -> KernelRun:
    """Run ``code`` through a kernel's websocket (``.../api/kernels/<id>/channels``) and wait
    for it to finish. ``connect`` goes to ``websocket.create_connection`` (cookie, header)."""
    import websocket  # websocket-client, a jupyter_server dependency

    ws = websocket.create_connection(ws_url, timeout=timeout, **connect)
    msg_id = uuid.uuid4().hex
    try:
        ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "session": uuid.uuid4().hex,
                        "username": username,
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": False,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                }
            )
        )
        run = KernelRun()
        deadline = time.monotonic() + timeout
        replied = idle = False
        while not (replied and idle):
            if time.monotonic() > deadline:
                raise TimeoutError(f"code ran over {timeout}s in {ws_url}: {run}")
            message = json.loads(ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                run.stdout += content["text"]
            elif kind == "error":
                run.error = f"{content['ename']}: {content['evalue']}"
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        return run
    finally:
        ws.close()
