"""Learner isolation: every learner's server in a bubblewrap jail of its own (no Docker, no systemd).

Inside the jail a server sees its own home (read-write) and, read-only, /usr, /etc, the Python
installation and virtual environment, the ``nbcampus`` package and the Jupyter config of learner
servers. The course sources, the state folder (databases, secrets, grading keys, other homes) and
the rest of the checkout are not there at all. The server runs as a uid of its own
(``first_uid`` + the user's hub id) with no capabilities, in its own PID namespace (a fresh
/proc shows its own processes only), with caps on processes and threads (RLIMIT_NPROC, per uid,
so per learner), address space per process and open files, and a size-capped private /tmp.

It shares the host's network namespace: the server must reach the hub API and the nbcampus
service on 127.0.0.1. Anything else listening on loopback is reachable too (see
docs/isolation.md: a PostgreSQL with ``trust`` authentication on 127.0.0.1 must be moved to
password authentication or a Unix socket).

Where isolation is unavailable, :func:`apply_isolation` refuses to let a hub that more than one
person can use start, unless the admin sets ``CampusSettings.unsafe_single_user_mode``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from traitlets import Enum, Integer, List, Unicode, default
from traitlets.config import Config, LoggingConfigurable

from nbcampus.bwrap import Jail, Limits, Probe, probe_jail, python_roots
from nbcampus.hub.settings import CampusSettings

log = logging.getLogger("JupyterHub")

#: the ``nbcampus`` package, which learner servers import (server extension, exchange, quizzes)
PACKAGE_DIR = str(Path(__file__).resolve().parents[1])


class IsolationUnavailable(RuntimeError):
    """Learners' servers cannot be isolated here and the admin did not accept running them shared."""


class LearnerIsolation(LoggingConfigurable):
    """How learners' servers are isolated from each other and from the school's files."""

    mode = Enum(
        ["bubblewrap", "none"],
        help="'bubblewrap': each server in a jail of its own (see docs/isolation.md). 'none': plain "
        "processes of the hub's user that can read each other's homes, the course sources and the "
        "databases; the hub then refuses to start unless CampusSettings.unsafe_single_user_mode. "
        "From NBCAMPUS_LEARNER_ISOLATION, else 'bubblewrap'.",
    ).tag(config=True)

    @default("mode")
    def _default_mode(self) -> str:
        return os.environ.get("NBCAMPUS_LEARNER_ISOLATION") or "bubblewrap"

    bwrap = Unicode("bwrap", help="The bubblewrap executable.").tag(config=True)

    first_uid = Integer(
        2_000_000,
        help="A learner's server runs as uid first_uid + the user's hub id (stable across restarts; "
        "the home is given to it). Pick a range no local account or subuid range uses.",
    ).tag(config=True)

    memory_mb = Integer(
        4096,
        help="Address-space cap (RLIMIT_AS) of each process of a learner's server (the server, "
        "each kernel, each terminal), in MiB.",
    ).tag(config=True)

    processes = Integer(
        256,
        help="Cap on the processes and threads of one learner (RLIMIT_NPROC of their uid): a fork "
        "bomb stops there. An idle server uses 4 threads, each kernel about 12.",
    ).tag(config=True)

    open_files = Integer(4096, help="Open files per process of a learner's server.").tag(
        config=True
    )

    tmp_mb = Integer(256, help="Size of a learner's private /tmp (held in memory), in MiB.").tag(
        config=True
    )

    shm_mb = Integer(
        64, help="Size of a learner's /dev/shm (shared memory, held in memory), in MiB."
    ).tag(config=True)

    readonly_paths = List(
        Unicode(),
        help="More host folders learners' servers may read (e.g. a shared data set folder).",
    ).tag(config=True)

    def uid(self, user_id: int) -> int:
        """The uid of the learner whose hub user id is ``user_id``."""
        return self.first_uid + user_id

    @property
    def limits(self) -> Limits:
        return Limits(
            memory_bytes=self.memory_mb * 1024 * 1024,
            processes=self.processes,
            open_files=self.open_files,
            file_bytes=None,  # a learner's data files may be large; the disk is theirs to fill
            cpu_seconds=None,  # a server runs for hours
        )

    def readonly(self, config_dirs: list[str]) -> list[str]:
        """What a server reads: Python, the nbcampus package, the servers' Jupyter config."""
        paths: list[str] = []
        wanted = [*python_roots(), PACKAGE_DIR, *config_dirs, *self.readonly_paths]
        for path in sorted((p for p in wanted if p), key=len):
            # a folder inside one already bound is visible through it
            if not any(path == p or path.startswith(p.rstrip("/") + "/") for p in paths):
                paths.append(path)
        return paths

    def jail(self, home: Path, uid: int, config_dirs: list[str]) -> Jail:
        """The jail of one learner's server: ``home`` its only writable (and visible) folder."""
        return Jail(
            uid=uid,
            limits=self.limits,
            readonly=self.readonly(config_dirs),
            writable=[str(home)],
            chdir=str(home),
            env=None,  # the spawner's environment: the server's token, hub URLs, HOME
            network=True,  # the hub API and the nbcampus service on 127.0.0.1
            hostname="nbcampus",
            tmp_bytes=self.tmp_mb * 1024 * 1024,
            shm_bytes=self.shm_mb * 1024 * 1024,
            bwrap=self.bwrap,
        )

    def probe(self, config_dirs: list[str] | None = None) -> Probe:
        """Start a jail as a learner's server would and check what it sees."""
        if self.mode == "none":
            return Probe(False, "LearnerIsolation.mode is 'none'")
        with tempfile.TemporaryDirectory(prefix="nbcampus-isolation-probe-") as home:
            uid = self.uid(0)  # hub user ids start at 1: no learner has this uid
            os.chown(home, uid, uid)
            # prints the uid inside, and fails unless the home is writable and /proc is private
            check = (
                "import os,pathlib;pathlib.Path('probe').write_text('ok');"
                "pids={p for p in os.listdir('/proc') if p.isdigit()};"
                "assert pids<={'1',str(os.getpid())},pids;"
                "print(os.getuid())"
            )
            command = self.jail(Path(home), uid, config_dirs or []).command(
                [sys.executable, "-c", check]
            )
            return probe_jail(command, who="the hub", details=[f"limits: {self.limits}"])


@dataclass
class IsolationDecision:
    """What the hub does about learner isolation: isolate, run shared (with warnings) or refuse."""

    isolate: bool
    refuse: str = ""
    warnings: list[str] = field(default_factory=list)


def decide_isolation(
    probe: Probe, unsafe_single_user_mode: bool, several_users: bool
) -> IsolationDecision:
    """Isolate where the probe passed; else refuse if several people can use the hub and the admin
    did not set ``unsafe_single_user_mode``; else run shared, loudly."""
    if probe.available:
        return IsolationDecision(True)
    shared = (
        f"LEARNER SERVERS ARE NOT ISOLATED ({probe.reason}): every server runs as the hub's user "
        "and can read every other learner's home, the course sources with their solutions, the "
        "databases and the school's secrets."
    )
    if unsafe_single_user_mode:
        return IsolationDecision(
            False, warnings=[shared + " Running anyway: CampusSettings.unsafe_single_user_mode."]
        )
    if several_users:
        return IsolationDecision(
            False,
            refuse=shared + " Refusing to start a hub that more than one person can use. Fix "
            "isolation (`nbcampus doctor` says what is wrong; apt-get install bubblewrap; run the "
            "hub as root), or, for a single trusted user only, set "
            "c.CampusSettings.unsafe_single_user_mode = True (or NBCAMPUS_UNSAFE_SHARED_SERVERS=1).",
        )
    return IsolationDecision(False, warnings=[shared + " Allowed: only one account, no sign-up."])


def several_users(c: Config, settings: CampusSettings) -> bool:
    """Can more than one person use this hub (open sign-up, or more than one seeded account)?"""
    if c.NativeAuthenticator.get("open_signup", False):
        return True
    accounts = Path(settings.accounts_file)
    return accounts.is_file() and len(json.loads(accounts.read_text())) > 1


def apply_isolation(c: Config, settings: CampusSettings, probe: Probe) -> IsolationDecision:
    """Set ``c.LearnerIsolation.mode`` from the decision and return it; raise
    :class:`IsolationUnavailable` if the hub must not start. Call after ``configure_hub``."""
    decision = decide_isolation(probe, settings.unsafe_single_user_mode, several_users(c, settings))
    if decision.refuse:
        raise IsolationUnavailable(decision.refuse)
    if not decision.isolate:
        c.LearnerIsolation.mode = "none"
    return decision


def require_learner_isolation(c: Config, settings: CampusSettings) -> IsolationDecision:
    """Probe learner isolation with the configured settings, apply the decision and log it;
    exit (status 1) if the hub must not start. For ``jupyterhub_config.py``."""
    isolation = LearnerIsolation(config=c)
    probe = isolation.probe([settings.singleuser_config_dir])
    try:
        decision = apply_isolation(c, settings, probe)
    except IsolationUnavailable as e:
        log.critical("%s", e)
        raise SystemExit(f"nbcampus: {e}") from None
    if decision.isolate:
        log.info("Learner isolation: bubblewrap (%s)", "; ".join(probe.details))
    for warning in decision.warnings:
        log.critical("%s", warning)
    return decision
