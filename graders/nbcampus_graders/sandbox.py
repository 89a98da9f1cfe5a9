"""The sandbox one submission's code runs in: bubblewrap, an unprivileged uid and rlimits.

Inside it a kernel sees: the Python installation (read-only), /usr and /etc (read-only), a private
/tmp, and one job directory holding that submission's files. It has no network (its own network
namespace), its own PID namespace (everything it starts dies with it), a uid of its own (so the
process cap counts its processes only), and caps on address space, processes, open files and file
size. It does not see other submissions, the databases, the course sources, answer keys or the
service's secrets, and its environment is emptied.

Where bubblewrap cannot run (not installed, no namespaces), :func:`probe` says why; the grader then
refuses to grade unless ``allow_unsandboxed`` is set, and says so loudly in its log and in
``nbcampus doctor``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from traitlets import Bool, Integer, Unicode
from traitlets.config import Configurable

from nbcampus.bwrap import Jail, Limits, Probe, give_to, probe_jail, python_roots

__all__ = ["Limits", "Probe", "Sandbox"]


class Sandbox(Configurable):
    """Wraps a command so that it runs inside bubblewrap with the limits of :class:`Limits`."""

    bwrap = Unicode("bwrap", help="The bubblewrap executable.").tag(config=True)

    first_uid = Integer(
        61000,
        help="Sandboxes run as uid first_uid + (grading process id mod 30000), never 0, so the "
        "process cap counts one grading process's sandbox only.",
    ).tag(config=True)

    memory_mb = Integer(1536, help="Address-space cap of one sandbox, in MiB.").tag(config=True)
    processes = Integer(64, help="Process/thread cap of one sandbox.").tag(config=True)
    file_mb = Integer(64, help="Largest file a sandbox may write, in MiB.").tag(config=True)
    cpu_seconds = Integer(600, help="CPU-time cap of one sandbox, in seconds.").tag(config=True)

    use_zygote = Bool(
        True,
        help="Fork each submission's kernel from a sandboxed process that has imported ipykernel "
        "once (fast), instead of starting a new sandbox and kernel per notebook.",
    ).tag(config=True)

    allow_unsandboxed = Bool(
        False,
        help="UNSAFE: grade without bubblewrap where it is unavailable. Learner code then runs "
        "with the grader's rights and sees its files. Only for a single trusted user.",
    ).tag(config=True)

    @property
    def limits(self) -> Limits:
        return Limits(
            memory_bytes=self.memory_mb * 1024 * 1024,
            processes=self.processes,
            file_bytes=self.file_mb * 1024 * 1024,
            cpu_seconds=self.cpu_seconds,
        )

    def probe(self) -> Probe:
        """Can we sandbox here? Runs a tiny command in a sandbox and checks what it sees."""
        job = Path(os.environ.get("TMPDIR", "/tmp")) / f"nbcampus-probe-{os.getpid()}"
        job.mkdir(exist_ok=True)
        try:
            return probe_jail(
                self.wrap(
                    [sys.executable, "-c", "import os,socket;print(os.getuid());socket.socket()"],
                    job,
                ),
                who="the grader",
                details=[f"limits: {self.limits}"],
            )
        finally:
            shutil.rmtree(job, ignore_errors=True)

    def uid(self) -> int:
        """The uid sandboxes started by this process run as: one per grading process."""
        return self.first_uid + os.getpid() % 30000

    def prepare(self, job: Path) -> None:
        """Give the job directory to the sandbox's uid."""
        give_to(job, self.uid())

    def wrap(self, command: list[str], job: Path) -> list[str]:
        """``command`` run inside a sandbox whose only writable place is ``job``: no network,
        an emptied environment."""
        jail = Jail(
            uid=self.uid(),
            limits=self.limits,
            readonly=python_roots(),  # what a kernel needs to start
            writable=[str(job)],
            chdir=str(job),
            env={
                "HOME": str(job),
                "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
                "LANG": "C.UTF-8",
                "PYTHONDONTWRITEBYTECODE": "1",
                "MPLBACKEND": "Agg",
                "JUPYTER_PLATFORM_DIRS": "1",
            },
            network=False,
            hostname="grader",
            bwrap=self.bwrap,
        )
        return jail.command(command)
