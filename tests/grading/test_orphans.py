"""Grading processes end with the process that started them, even after kill -9.

A real process (``pool_host.py``, standing in for the service) grades real submissions on a
real ``LocalPool``: forkserver, pool workers, multiprocessing's resource tracker, bubblewrap
sandboxes with kernel zygotes and a kernel stuck in an endless cell. It is killed with SIGKILL;
every process it had started must be gone soon after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from .conftest import answer

HOST = Path(__file__).with_name("pool_host.py")
CORRECT = "def double(x):\n    return 2 * x"
ENDLESS = "def double(x):\n    return 2 * x\nwhile True:\n    pass"


def descendants(pid: int) -> list[psutil.Process]:
    """Every process below ``pid`` now (psutil remembers each one's start time)."""
    return psutil.Process(pid).children(recursive=True)


def survivors(processes: list[psutil.Process]) -> list[str]:
    """Those of ``processes`` still running (not reaped zombies), described."""
    alive = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{p.pid} {' '.join(p.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            pass
    return alive


def test_kill_9_of_the_grading_process_leaves_no_orphans(ex1, tmp_path):
    files, key = ex1
    (tmp_path / "key.db").write_bytes(key)
    (tmp_path / "good.ipynb").write_bytes(answer(files, CORRECT)["ex1.ipynb"])
    (tmp_path / "busy.ipynb").write_bytes(answer(files, ENDLESS)["ex1.ipynb"])
    host = subprocess.Popen(
        [
            sys.executable,
            str(HOST),
            *(str(tmp_path / n) for n in ("key.db", "good.ipynb", "busy.ipynb")),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert host.stdout.readline().strip() == "busy", "the pool host did not start grading"
        kids = descendants(host.pid)
        names = " ".join(" ".join(p.cmdline()) for p in kids)
        # what used to outlive the service: all of it is there before the kill
        assert "forkserver" in names and "resource_tracker" in names, names
        assert "bwrap" in names and "kernel zygote" in names, names
        assert len(kids) >= 6, names
        os.kill(host.pid, signal.SIGKILL)
        host.wait(timeout=10)
        deadline = time.monotonic() + 20
        while survivors(kids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert survivors(kids) == []
    finally:
        if host.poll() is None:
            host.kill()
            host.wait()
        for p in descendants_left(kids):
            p.kill()


def descendants_left(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Clean-up after a failed run: the processes of ``processes`` still running."""
    left = []
    for p in processes:
        try:
            if p.is_running():
                left.append(p)
        except psutil.NoSuchProcess:
            pass
    return left
