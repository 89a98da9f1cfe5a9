"""Learner isolation: every learner's server in a bubblewrap jail of its own (no Docker, no systemd).

Inside the jail a server sees its own home (read-write) and, read-only, /usr, /etc, the Python
installation and virtual environment, the ``nbcampus`` package and the Jupyter config of learner
servers. The course sources, the state folder (databases, secrets, grading keys, other homes) and
the rest of the checkout are not there at all. The server runs as a uid of its own
(``first_uid`` + the user's hub id) with no capabilities, in its own PID namespace (a fresh
/proc shows its own processes only), with caps on processes and threads (RLIMIT_NPROC, per uid,
so per learner), address space per process and open files, and a size-capped private /tmp.

It has a network namespace of its own (``network = "namespace"``, bwrap ``--unshare-net``): a
loopback of its own, where its kernels listen, and no route to the host. The hub relays the
server's port in, and the hub API and the nbcampus service out (``learner_network.py``).

Where isolation is unavailable, :func:`apply_isolation` refuses to let a hub that more than one
person can use start, unless the admin sets ``CampusSettings.unsafe_single_user_mode``. Where
servers share the host's network (no jail, or ``network = "shared"``), it also refuses while
any port on the host's loopback other than the school's own accepts a connection from a
server, unless the admin names those ports in ``accepted_loopback_ports``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from traitlets import Enum, Integer, List, TraitError, Unicode, default
from traitlets.config import Config, LoggingConfigurable

from nbcampus.bwrap import Jail, Limits, Probe, probe_jail, python_roots
from nbcampus.hub.loopback import ScanFailed, reachable_loopback_ports
from nbcampus.hub.netns import can_enter_namespaces
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

    network = Enum(
        ["namespace", "shared"],
        help="'namespace': each jail has a network of its own (its own loopback, no route to "
        "the host); the hub relays the server's port in and the hub API and the nbcampus "
        "service out. 'shared': jails use the host's network, so learner code reaches every "
        "port on the host's loopback (databases, other learners' kernels); the hub then refuses "
        "to start for several people while such ports answer, unless accepted_loopback_ports "
        "names them. From NBCAMPUS_LEARNER_NETWORK, else 'namespace'.",
    ).tag(config=True)

    @default("network")
    def _default_network(self) -> str:
        return os.environ.get("NBCAMPUS_LEARNER_NETWORK") or "namespace"

    accepted_loopback_ports = List(
        Integer(),
        help="Ports on the host's loopback the admin accepts learners' servers can reach where "
        "they share the host's network (mode 'none', network 'shared'): the hub starts despite "
        "them, and says so. Each is a risk: e.g. a PostgreSQL with trust authentication gives "
        "every learner the database. From NBCAMPUS_ACCEPTED_LOOPBACK_PORTS (comma-separated).",
    ).tag(config=True)

    @default("accepted_loopback_ports")
    def _default_accepted_loopback_ports(self) -> list[int]:
        raw = os.environ.get("NBCAMPUS_ACCEPTED_LOOPBACK_PORTS", "")
        try:
            return [int(p) for p in raw.replace(" ", "").split(",") if p]
        except ValueError:
            raise TraitError(
                f"NBCAMPUS_ACCEPTED_LOOPBACK_PORTS={raw!r}: comma-separated port numbers"
            ) from None

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
            # own network: the hub relays the server's port, the hub API and the service
            network=self.network == "shared",
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
            # (and, with a network of its own, nothing listens: no socket of the host is seen)
            check = (
                "import os,pathlib;pathlib.Path('probe').write_text('ok');"
                "pids={p for p in os.listdir('/proc') if p.isdigit()};"
                "assert pids<={'1',str(os.getpid())},pids;"
                + (
                    "net=open('/proc/net/tcp').read().splitlines()[1:];assert not net,net;"
                    if self.network == "namespace"
                    else ""
                )
                + "print(os.getuid())"
            )
            command = self.jail(Path(home), uid, config_dirs or []).command(
                [sys.executable, "-c", check]
            )
            details = [f"limits: {self.limits}", f"network: {self.network}"]
            return probe_jail(command, who="the hub", details=details)

    def check_network(
        self, probe: Probe, config_dirs: list[str], school_ports: set[int]
    ) -> NetworkCheck:
        """Whether servers get a network of their own; if not, which loopback ports (other than
        ``school_ports``) accept a connection from one."""
        if probe.available and self.network == "namespace":
            if can_enter_namespaces():
                return NetworkCheck(True)
            reason = "the hub cannot enter network namespaces (needs root with CAP_SYS_ADMIN)"
        elif probe.available:
            reason = "LearnerIsolation.network is 'shared'"
        else:
            reason = f"no jail: {probe.reason}"
        accepted = sorted(self.accepted_loopback_ports)
        try:
            if probe.available:  # from a jail sharing the host's network, as a server would be
                with tempfile.TemporaryDirectory(prefix="nbcampus-loopback-scan-") as home:
                    uid = self.uid(0)
                    os.chown(home, uid, uid)
                    jail = self.jail(Path(home), uid, config_dirs)
                    jail.network = True
                    ports = reachable_loopback_ports(jail.command([]))
            else:  # plain processes of the hub's user
                ports = reachable_loopback_ports()
        except ScanFailed as e:
            return NetworkCheck(False, reason, accepted=accepted, scan_error=str(e))
        return NetworkCheck(False, reason, sorted(set(ports) - school_ports), accepted)


@dataclass
class NetworkCheck:
    """Whether learners' servers have a network of their own; if not, what they reach."""

    isolated: bool
    reason: str = ""
    #: ports on the host's loopback, other than the school's, that accepted from a server
    reachable: list[int] = field(default_factory=list)
    #: ports the admin accepts as risks (LearnerIsolation.accepted_loopback_ports)
    accepted: list[int] = field(default_factory=list)
    scan_error: str = ""

    @property
    def unaccepted(self) -> list[int]:
        return sorted(set(self.reachable) - set(self.accepted))

    def describe(self) -> str:
        """One paragraph for the log and `nbcampus doctor`."""
        if self.isolated:
            return (
                "each server has a network of its own: it reaches the hub API and the service only"
            )
        if self.scan_error:
            found = f"the loopback scan failed ({self.scan_error}), so no port could be checked"
        elif self.reachable:
            found = "loopback ports answering now: " + ", ".join(map(str, self.reachable))
        else:
            found = "no other port on loopback answers now"
        accepted = (
            f"; accepted as risks: {', '.join(map(str, self.accepted))}" if self.accepted else ""
        )
        return (
            f"LEARNER SERVERS SHARE THE HOST'S NETWORK ({self.reason}): learner code can connect "
            "to every port on the host's loopback, other learners' kernels (and read their "
            f"output) and servers included; {found}{accepted}."
        )


@dataclass
class IsolationDecision:
    """What the hub does about learner isolation: isolate, run shared (with warnings) or refuse."""

    isolate: bool
    refuse: str = ""
    warnings: list[str] = field(default_factory=list)


def decide_isolation(
    probe: Probe,
    unsafe_single_user_mode: bool,
    several_users: bool,
    network: NetworkCheck | None = None,
) -> IsolationDecision:
    """Isolate where the probe passed; else refuse if several people can use the hub and the admin
    did not set ``unsafe_single_user_mode``; else run shared, loudly. Then, where servers share
    the host's network (``network`` not isolated), refuse for several people while loopback ports
    the admin did not accept answer (or could not be checked)."""
    decision = _decide_jail(probe, unsafe_single_user_mode, several_users)
    if decision.refuse or network is None or network.isolated:
        return decision
    shared = network.describe()
    if several_users and (network.unaccepted or network.scan_error):
        ports = ", ".join(map(str, network.unaccepted)) or "(unknown)"
        return IsolationDecision(
            decision.isolate,
            refuse=shared + f" Refusing to start a hub that more than one person can use while "
            f"loopback ports {ports} accept connections from learners' servers. Give servers a "
            "network of their own (LearnerIsolation.network = 'namespace', in a jail: the hub "
            "as root), close or firewall those ports, or name them as accepted risks: "
            f"c.LearnerIsolation.accepted_loopback_ports = [{ports}] "
            f"(or NBCAMPUS_ACCEPTED_LOOPBACK_PORTS={ports.replace(', ', ',')}).",
        )
    return IsolationDecision(decision.isolate, warnings=[*decision.warnings, shared])


def _decide_jail(
    probe: Probe, unsafe_single_user_mode: bool, several_users: bool
) -> IsolationDecision:
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


def school_ports(settings: CampusSettings) -> set[int]:
    """The school's own ports on loopback: public proxy, proxy API, hub API, service."""
    return {settings.port, settings.proxy_api_port, settings.hub_port, settings.service_port}


def apply_isolation(
    c: Config, settings: CampusSettings, probe: Probe, network: NetworkCheck | None = None
) -> IsolationDecision:
    """Set ``c.LearnerIsolation.mode`` (and ``network``) from the decision and return it; raise
    :class:`IsolationUnavailable` if the hub must not start. Call after ``configure_hub``.
    ``network`` None: not checked (as if each server had a network of its own)."""
    decision = decide_isolation(
        probe, settings.unsafe_single_user_mode, several_users(c, settings), network
    )
    if decision.refuse:
        raise IsolationUnavailable(decision.refuse)
    if not decision.isolate:
        c.LearnerIsolation.mode = "none"
    elif network is not None and not network.isolated:
        c.LearnerIsolation.network = "shared"
    return decision


def require_learner_isolation(c: Config, settings: CampusSettings) -> IsolationDecision:
    """Probe learner isolation with the configured settings, apply the decision and log it;
    exit (status 1) if the hub must not start. For ``jupyterhub_config.py``."""
    isolation = LearnerIsolation(config=c)
    config_dirs = [settings.singleuser_config_dir]
    probe = isolation.probe(config_dirs)
    network = isolation.check_network(probe, config_dirs, school_ports(settings))
    try:
        decision = apply_isolation(c, settings, probe, network)
    except IsolationUnavailable as e:
        log.critical("%s", e)
        raise SystemExit(f"nbcampus: {e}") from None
    if decision.isolate:
        log.info("Learner isolation: bubblewrap (%s)", "; ".join(probe.details))
    if network.isolated:
        log.info("Learner network: %s", network.describe())
    for warning in decision.warnings:
        log.critical("%s", warning)
    return decision


def announce_kubernetes_isolation() -> str:
    """Say, loudly, what isolates learners on Kubernetes and that the hub cannot check it; for
    the chart's ``hub.extraConfig`` (hub_config/k8s/values.yaml). Returns the message."""
    message = (
        "Learner isolation on Kubernetes is a pod per learner; their network isolation is the "
        "chart's NetworkPolicies (singleuser.networkPolicy in hub_config/k8s/values.yaml: the "
        "hub, the proxy and the nbcampus service only) and holds only where the cluster's "
        "network plugin enforces NetworkPolicy (Calico, Cilium, ...). The hub cannot check this "
        "from here: without enforcement every learner reaches every pod, other learners' "
        "kernels and the databases included."
    )
    log.warning("%s", message)
    return message
