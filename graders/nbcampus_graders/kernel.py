"""A Jupyter kernel started inside the sandbox, reached through Unix sockets in the job folder.

The sandbox has no network, so the kernel listens on ZeroMQ ``ipc`` sockets in the job directory;
the grader (outside) connects to them. What a test printed reaches the grader only through the
kernel's messages: a results file written by the submission is never read.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Instance

from .sandbox import Sandbox


class SandboxedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel command runs inside :class:`Sandbox`."""

    sandbox = Instance(Sandbox, allow_none=True)
    job_dir = Instance(Path)

    def __init__(self, **kwargs):
        job_dir = Path(kwargs["job_dir"])
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", str(job_dir / ".kernel"))
        kwargs.setdefault("connection_file", str(job_dir / ".kernel.json"))
        super().__init__(**kwargs)

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            self.connection_file,
            "--HistoryManager.enabled=False",
            "--IPKernelApp.quiet=True",
            *(extra_arguments or []),
        ]
        # signals to bwrap do not reach the kernel: interrupt it with a control message
        self.kernel_spec.interrupt_mode = "message"
        if self.sandbox is None:
            return command
        # the kernel runs as the sandbox's uid: it must read its connection file
        uid = self.sandbox.uid()
        os.chown(self.connection_file, uid, uid)
        return self.sandbox.wrap(command, self.job_dir)


class Zygote:
    """The host's handle on a sandboxed kernel zygote (see ``zygote.py``)."""

    def __init__(self, sandbox: Sandbox, jobs_root: Path):
        source = (Path(__file__).parent / "zygote.py").read_text()
        self.jobs_root = jobs_root
        self.lock = threading.Lock()
        command = sandbox.wrap([sys.executable, "-c", source], jobs_root)
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        ready = self.process.stdout.readline()
        if not ready.startswith('{"ready"'):
            self.process.kill()
            raise RuntimeError(f"the kernel zygote did not start ({self.process.wait()})")

    def alive(self) -> bool:
        return self.process.poll() is None

    def request(self, **request) -> dict:
        with self.lock:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the kernel zygote died")
        return json.loads(line)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class ZygoteKernel:
    """What jupyter_client's local provisioner expects of a process, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, zygote: Zygote, pid: int):
        self.zygote = zygote
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not self.zygote.request(op="alive", pid=self.pid)["alive"]:
            self.returncode = 0
        return self.returncode

    def wait(self, timeout=None) -> int:
        while self.poll() is None:
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if signum in (signal.SIGKILL, signal.SIGTERM):
            self.kill()

    def kill(self) -> None:
        self.zygote.request(op="kill", pid=self.pid)

    terminate = kill


class ZygoteKernelManager(SandboxedKernelManager):
    """Kernels forked by the worker's zygote instead of started from scratch."""

    zygote = Instance(Zygote)

    async def _async_launch_kernel(self, kernel_cmd, **kw) -> None:
        reply = self.zygote.request(
            op="spawn", connection_file=self.connection_file, cwd=str(self.job_dir)
        )
        kernel = ZygoteKernel(self.zygote, reply["pid"])
        self.provisioner.process = kernel
        self.provisioner.pid = kernel.pid
        self.provisioner.pgid = None
        self._reconcile_connection_info(self.provisioner.connection_info)
