"""The bubblewrap command line shared by the grading sandbox and the learner servers.

A :class:`Jail` runs a command in bubblewrap (``bwrap``) with an empty root where only the paths
it names are bound, its own PID, IPC and UTS namespaces (optionally its own network namespace), a
fresh ``/proc`` that shows its own processes only, a private ``/tmp``, then ``setpriv`` to a uid of
its own with every capability dropped, then ``prlimit`` with the caps of :class:`Limits`. The
grading sandbox (``nbcampus_graders.sandbox``) and the learner spawner (``nbcampus.hub.isolation``)
differ only in what they bind and which limits they set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class Limits:
    """Resource caps of one jail's processes (``None``: no cap of that kind).

    ``processes`` is RLIMIT_NPROC: it counts every process and thread of the jail's uid, which is
    why each jail gets a uid of its own. ``memory_bytes`` is RLIMIT_AS, per process.
    """

    memory_bytes: int | None = 1536 * 1024 * 1024
    processes: int | None = 64
    open_files: int | None = 256
    file_bytes: int | None = 64 * 1024 * 1024
    cpu_seconds: int | None = 600

    def prlimit_args(self) -> list[str]:
        """``prlimit`` options for these caps (soft and hard limit alike)."""
        options = {
            "--as": self.memory_bytes,
            "--nproc": self.processes,
            "--nofile": self.open_files,
            "--fsize": self.file_bytes,
            "--cpu": self.cpu_seconds,
        }
        return [f"{name}={value}" for name, value in options.items() if value is not None]


@dataclass
class Probe:
    """Whether a kind of jail works on this machine, why not, and what it saw."""

    available: bool
    reason: str = ""
    details: list[str] = field(default_factory=list)


def _ancestors(path: PurePosixPath) -> list[str]:
    return [str(p) for p in reversed(path.parents) if str(p) != "/"]


def python_roots() -> list[str]:
    """What a Python process of this environment needs: the interpreter's prefixes and the
    site-packages folders, without the project's own source folders on ``sys.path``."""
    roots = {sys.base_prefix, sys.prefix}
    for path in sys.path:
        if path.endswith("site-packages") and Path(path).is_dir():
            roots.add(path)
    return sorted(r for r in roots if not any(r != o and r.startswith(o + "/") for o in roots))


@dataclass
class Jail:
    """One bubblewrap command line: what is visible, who runs, with which caps.

    Paths are bound at the same place inside as outside, so that the paths in the environment and
    in command lines stay valid. Everything not named is absent.
    """

    uid: int
    limits: Limits
    #: host paths bound read-only (besides /usr, /etc and the /lib, /bin links)
    readonly: list[str] = field(default_factory=list)
    #: host paths bound read-write
    writable: list[str] = field(default_factory=list)
    chdir: str = "/"
    #: the environment inside; ``None`` keeps the caller's (the learner spawner curates it)
    env: dict[str, str] | None = None
    #: share the host's network namespace (loopback included); else none at all
    network: bool = False
    hostname: str = "nbcampus"
    #: size cap of the private /tmp (a tmpfs, so RAM) in bytes; ``None``: the kernel's default
    tmp_bytes: int | None = None
    #: a writable /dev/shm of this size in bytes (a tmpfs); ``None``: a read-only, empty one
    shm_bytes: int | None = None
    bwrap: str = "bwrap"

    def command(self, command: list[str]) -> list[str]:
        """``command`` run inside this jail."""
        args = [
            self.bwrap,
            "--unshare-pid",
            *([] if self.network else ["--unshare-net"]),
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            # the jail's init dies with bwrap, and with it every process of the jail
            "--die-with-parent",
            "--new-session",
            "--hostname",
            self.hostname,
        ]
        made: set[str] = {"/tmp"}  # made below, world-writable; --dir would make it 0755

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
        # a private /tmp first: the Python installation or the bound folders may live under /tmp
        args.extend(["--proc", "/proc", "--dev", "/dev", "--perms", "1777"])
        if self.tmp_bytes is not None:
            args.extend(["--size", str(self.tmp_bytes)])
        args.extend(["--tmpfs", "/tmp"])
        if self.shm_bytes is not None:  # POSIX shared memory, semaphores (multiprocessing)
            args.extend(["--perms", "1777", "--size", str(self.shm_bytes), "--tmpfs", "/dev/shm"])
        for root in self.readonly:
            if root.startswith(("/usr/", "/etc/")):
                continue
            parents(root)
            args.extend(["--ro-bind", root, root])
        for path in self.writable:
            parents(path)
            args.extend(["--bind", path, path])
        args.extend(["--chdir", self.chdir])
        if self.env is not None:
            args.append("--clearenv")
            for key, value in self.env.items():
                args.extend(["--setenv", key, value])
        args.extend(
            [
                "--",
                "setpriv",
                f"--reuid={self.uid}",
                f"--regid={self.uid}",
                "--clear-groups",
                "--no-new-privs",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--",
                "prlimit",
                *self.limits.prlimit_args(),
                "--core=0",
                "--",
                *command,
            ]
        )
        return args


def probe_jail(command: list[str], who: str, details: list[str] | None = None) -> Probe:
    """Run ``command`` (a :meth:`Jail.command` that prints the uid it runs as) and say whether
    jails work here: bwrap installed, ``who`` (the process that starts jails) root, bwrap started.
    """
    exe = shutil.which(command[0])
    if exe is None:
        return Probe(False, "bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    if os.geteuid() != 0:
        return Probe(
            False,
            f"{who} is not root: it cannot give each jail a uid of its own (the process cap "
            "would not hold); run it as root or as a dedicated user with CAP_SETUID",
        )
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        return Probe(False, f"bubblewrap failed to start: {e}")
    if result.returncode != 0:
        return Probe(False, f"bubblewrap failed: {result.stderr.strip()[-500:]}")
    return Probe(
        True, details=[f"bwrap: {exe}", f"uid inside: {result.stdout.strip()}", *(details or [])]
    )


def give_to(folder: Path, uid: int) -> int:
    """Make ``folder`` and everything in it owned by ``uid``; return how many entries changed.

    Never follows a symbolic link (the folder's owner controls them), so nothing outside
    ``folder`` changes hands. Call it only while no process of ``uid`` runs.
    """
    changed = 0

    def own(path: str) -> None:
        nonlocal changed
        st = os.lstat(path)
        if st.st_uid != uid or st.st_gid != uid:
            os.chown(path, uid, uid, follow_symlinks=False)
            changed += 1

    own(str(folder))
    for directory, dirnames, filenames in os.walk(folder):  # never descends into links
        for name in dirnames + filenames:
            own(os.path.join(directory, name))
    return changed
