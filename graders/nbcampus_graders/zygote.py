"""A kernel zygote: one sandboxed process per grading worker that has imported ipykernel once and
forks a fresh kernel for each submission (a kernel then starts in milliseconds, not ~0.5 s).

Runs inside the worker's sandbox (bubblewrap, own uid, rlimits, no network). Each submission gets
its own forked kernel in a new session, in its own job folder (which the grader creates empty and
removes afterwards); after each submission the zygote kills every other process of the sandbox,
so nothing a submission started survives into the next one. The zygote is not dumpable
(PR_SET_DUMPABLE 0): a kernel cannot ptrace it to reach later submissions.

Protocol: JSON lines on stdin/stdout. ``{"op": "spawn", "connection_file", "cwd"}`` ->
``{"pid"}``; ``{"op": "alive", "pid"}`` -> ``{"alive"}``; ``{"op": "kill", "pid"}``;
``{"op": "reset"}`` kills everything but the zygote and empties /tmp.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys

PR_SET_DUMPABLE = 4


def _kill_all_but_me() -> None:
    me = os.getpid()
    for _ in range(3):
        others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (me, 1)]
        if not others:
            return
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _clear_scratch() -> None:
    """Empty the sandbox's own scratch places (its /tmp is shared by the zygote's kernels)."""
    import shutil

    for folder in ("/tmp", "/dev/shm", "/var/tmp"):
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for name in entries:
            path = os.path.join(folder, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass


def _spawn(connection_file: str, cwd: str) -> int:
    pid = os.fork()
    if pid:
        return pid
    try:
        os.setsid()
        os.chdir(cwd)
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.environ["HOME"] = cwd
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(
            argv=[
                "-f",
                connection_file,
                "--HistoryManager.enabled=False",
                "--IPKernelApp.quiet=True",
            ]
        )
    finally:
        os._exit(0)


def main() -> None:
    # everything a kernel imports, once
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import IPython.core.interactiveshell  # noqa: F401
    import zmq  # noqa: F401

    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped at once
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        op = request.get("op")
        if op == "spawn":
            reply = {"pid": _spawn(request["connection_file"], request["cwd"])}
        elif op == "alive":
            try:
                os.kill(request["pid"], 0)
                reply = {"alive": True}
            except OSError:
                reply = {"alive": False}
        elif op == "kill":
            try:
                os.killpg(request["pid"], signal.SIGKILL)
            except OSError:
                pass
            reply = {"ok": True}
        elif op == "reset":
            _kill_all_but_me()
            _clear_scratch()
            reply = {"ok": True}
        else:
            reply = {"error": f"unknown op {op!r}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
