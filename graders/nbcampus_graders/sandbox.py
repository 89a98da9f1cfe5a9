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
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from traitlets import Bool, Integer, Unicode
from traitlets.config import Configurable


@dataclass(frozen=True)
class Limits:
    """Resource caps of one sandbox."""

    memory_bytes: int = 1536 * 1024 * 1024
    processes: int = 64
    open_files: int = 256
    file_bytes: int = 64 * 1024 * 1024
    cpu_seconds: int = 600


@dataclass
class Probe:
    available: bool
    reason: str = ""
    details: list[str] = field(default_factory=list)


def _ancestors(path: PurePosixPath) -> list[str]:
    return [str(p) for p in reversed(path.parents) if str(p) != "/"]


def readonly_roots() -> list[str]:
    """What the kernel needs to start: the interpreter's prefixes and the system's files."""
    roots = {sys.base_prefix, sys.prefix}
    for path in sys.path:
        # site-packages of the environment; not the project's own source folders
        if path.endswith("site-packages") and Path(path).is_dir():
            roots.add(path)
    return sorted(r for r in roots if not any(r != o and r.startswith(o + "/") for o in roots))


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
        exe = shutil.which(self.bwrap)
        if exe is None:
            return Probe(False, "bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
        if os.geteuid() != 0:
            return Probe(
                False,
                "the grader is not root: it cannot give each sandbox a uid of its own "
                "(the process cap would not hold); run the grader as root or a dedicated user "
                "with CAP_SETUID",
            )
        job = Path(os.environ.get("TMPDIR", "/tmp")) / f"nbcampus-probe-{os.getpid()}"
        job.mkdir(exist_ok=True)
        try:
            command = self.wrap(
                [sys.executable, "-c", "import os,socket;print(os.getuid());socket.socket()"],
                job,
            )
            result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as e:
            return Probe(False, f"bubblewrap failed to start: {e}")
        finally:
            shutil.rmtree(job, ignore_errors=True)
        if result.returncode != 0:
            return Probe(False, f"bubblewrap failed: {result.stderr.strip()[-500:]}")
        return Probe(
            True,
            details=[
                f"bwrap: {exe}",
                f"uid inside: {result.stdout.strip()}",
                f"limits: {self.limits}",
            ],
        )

    def uid(self) -> int:
        """The uid sandboxes started by this process run as: one per grading process."""
        return self.first_uid + os.getpid() % 30000

    def prepare(self, job: Path) -> None:
        """Give the job directory to the sandbox's uid."""
        uid = self.uid()
        for path in [job, *job.rglob("*")]:
            os.chown(path, uid, uid, follow_symlinks=False)

    def wrap(self, command: list[str], job: Path) -> list[str]:
        """``command`` run inside a sandbox whose only writable place is ``job``."""
        limits = self.limits
        uid = self.uid()
        args = [
            self.bwrap,
            "--unshare-pid",
            "--unshare-net",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--die-with-parent",
            "--new-session",
            "--hostname",
            "grader",
        ]
        made: set[str] = set()

        def parents(path: str) -> None:
            for parent in _ancestors(PurePosixPath(path)):
                if parent not in made:
                    made.add(parent)
                    args.extend(["--perms", "0755", "--dir", parent])

        for system in ("/usr", "/etc"):
            args.extend(["--ro-bind", system, system])
        for name in ("lib", "lib64", "bin", "sbin"):
            if Path(f"/{name}").is_symlink():
                args.extend(["--symlink", os.readlink(f"/{name}"), f"/{name}"])
            elif Path(f"/{name}").is_dir():
                args.extend(["--ro-bind", f"/{name}", f"/{name}"])
        # a private /tmp first: the Python installation or the job may live under /tmp
        args.extend(["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"])
        for root in readonly_roots():
            if root.startswith(("/usr/", "/etc/")):
                continue
            parents(root)
            args.extend(["--ro-bind", root, root])
        parents(str(job))
        args.extend(["--bind", str(job), str(job), "--chdir", str(job)])
        args.extend(["--clearenv"])
        for key, value in {
            "HOME": str(job),
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MPLBACKEND": "Agg",
            "JUPYTER_PLATFORM_DIRS": "1",
        }.items():
            args.extend(["--setenv", key, value])
        args.extend(
            [
                "--",
                "setpriv",
                f"--reuid={uid}",
                f"--regid={uid}",
                "--clear-groups",
                "--no-new-privs",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--",
                "prlimit",
                f"--as={limits.memory_bytes}",
                f"--nproc={limits.processes}",
                f"--nofile={limits.open_files}",
                f"--fsize={limits.file_bytes}",
                f"--cpu={limits.cpu_seconds}",
                "--core=0",
                "--",
                *command,
            ]
        )
        return args
