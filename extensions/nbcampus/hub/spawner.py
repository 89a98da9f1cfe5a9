"""The learner server spawner: a local process, isolated in a jail of its own (see
``isolation.py``), with the learner's course materials in its home."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import psutil
from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Unicode

from nbcampus.bwrap import give_to
from nbcampus.hub.isolation import LearnerIsolation
from nbcampus.hub.learner_network import LearnerNetwork, loopback_endpoint
from nbcampus.hub.package_access import PackageHosts, PackageProxy, proxy_env
from nbcampus.hub.server_config import with_server_config
from nbcampus.workspace import CourseMaterials


class CampusSpawner(SimpleLocalProcessSpawner):
    """Start a JupyterLab server for a learner, with their courses' lessons in their home.

    The lessons come from the nbcampus service (``service_api_url``), asked with the new
    server's own token; the server gets ``NBCAMPUS_API_URL`` for nbgrader's HTTP exchange.

    Learners get ``learner_config_dir`` on their Jupyter config path, which turns off nbgrader's
    formgrader and its authoring plugins; course staff keep them.

    Every server (staff too) runs in the jail of :class:`LearnerIsolation` unless its ``mode``
    is ``"none"``: its own uid, only its home writable and visible, caps on processes and memory,
    and (``LearnerIsolation.network = "namespace"``) a network of its own that reaches only the
    hub API and the service, through relays the hub runs (:class:`LearnerNetwork`), and,
    where the learner's courses name package hosts, those hosts through the package proxy
    (:class:`PackageProxy`, ``HTTPS_PROXY`` in the server's environment).
    """

    _network: LearnerNetwork | None = None
    _packages: PackageHosts = PackageHosts()
    _proxy_port: int | None = None
    _wants_proxy = False

    service_api_url = Unicode(
        "", help="The nbcampus service API, e.g. http://127.0.0.1:10101/services/nbcampus/api/."
    ).tag(config=True)
    common_config_dir = Unicode("", help="Jupyter config directory applied to every server.").tag(
        config=True
    )
    learner_config_dir = Unicode(
        "", help="Jupyter config directory applied to learners' servers."
    ).tag(config=True)

    def is_staff(self) -> bool:
        """Admins, instructors and TAs (their hub roles come from the course files)."""
        roles = {role.name for role in getattr(self.user, "roles", [])}
        return self.user.admin or any(
            r.startswith(("nbcampus-instructor-", "nbcampus-ta-")) for r in roles
        )

    async def start(self):
        self._staff = self.is_staff()
        self._own_network = False
        home = Path(self.home_dir)
        home.mkdir(parents=True, exist_ok=True)
        self._packages, self._proxy_port, self._wants_proxy = PackageHosts(), None, False
        if self.service_api_url:
            materials = CourseMaterials(self.service_api_url, self.api_token)
            enrolments = await materials.enrolments()
            self._packages = PackageHosts.of_enrolments(enrolments)
            written = await materials.provision(home, enrolments)
            if written:
                self.log.info("Gave %s %d lesson file(s)", self.user.name, len(written))
        isolation = LearnerIsolation(parent=self)
        if isolation.mode == "none":
            ip, port = await super().start()
        else:
            uid = isolation.uid(self.user.id)
            # lessons were just written by the hub; earlier homes may predate isolation. No
            # process of this uid runs now (the last server's jail died with it).
            changed = await asyncio.to_thread(give_to, home, uid)
            home.chmod(0o700)
            jail = isolation.jail(home, uid, [self.common_config_dir, self.learner_config_dir])
            self._own_network = not jail.network
            # the package proxy's port is chosen in get_env, once the server's port is known
            self._wants_proxy = self._own_network and bool(self._packages)
            server_cmd = self.cmd
            # LocalProcessSpawner runs self.cmd + args: the jail's command ends with the server's
            self.cmd = jail.command(list(server_cmd))
            try:
                ip, port = await super().start()
            finally:
                self.cmd = server_cmd
            if jail.network:
                how = "sharing the host's network"
            else:
                await self._open_network(port)
                how = "in its own network"
            self.log.info(
                "Server of %s isolated as uid %d, %s (%d file(s) given)",
                self.user.name,
                uid,
                how,
                changed,
            )
        if self._packages and not self._wants_proxy:
            self.log.info(
                "No package proxy for %s (courses name %s): the server shares the host's network",
                self.user.name,
                ", ".join(self._packages.hosts),
            )
        await self._wait_until_listening(ip, port)
        return ip, port

    def _outbound(self) -> list[tuple[str, int]]:
        """What the jail reaches on the host: the hub API, and the service if there is one."""
        endpoints = [loopback_endpoint(self.hub.api_url)]
        if self.service_api_url:
            endpoints.append(loopback_endpoint(self.service_api_url))
        return list(dict.fromkeys(endpoints))

    async def _open_network(self, port: int) -> None:
        outbound = self._outbound()
        proxy = None
        if self._proxy_port is not None:
            settings = PackageProxy(parent=self)
            proxy = (self._proxy_port, settings.proxy_for(self._packages, self.user.name))
            self.log.info(
                "Server of %s reaches package hosts %s through the proxy on its 127.0.0.1:%d",
                self.user.name,
                ", ".join(self._packages.hosts),
                self._proxy_port,
            )
        try:
            self._network = await LearnerNetwork.open(self.pid, port, outbound, proxy)
        except Exception:
            await super().stop(now=True)
            raise

    def _close_network(self) -> None:
        if self._network is not None:
            self._network.close()
            self._network = None

    async def stop(self, now: bool = False) -> None:
        await super().stop(now=now)
        self._close_network()
        isolation = LearnerIsolation(parent=self)
        if isolation.mode != "none":
            await self._wait_until_jail_empty(isolation.uid(self.user.id))

    async def _wait_until_jail_empty(self, uid: int) -> None:
        """Return once no process of the learner's uid is left (or kill_timeout passed).

        The jail's processes die with its init when bwrap exits, but the kernel ends them a
        moment later (a fork bomb's hundreds take a second): the next start must not find
        them, since it gives the home to the uid with no process of it running.
        """
        deadline = time.monotonic() + self.kill_timeout
        while time.monotonic() < deadline:
            # uids is None for a process that vanished while being read
            if not any(
                (p.info["uids"] or (None,))[0] == uid for p in psutil.process_iter(["uids"])
            ):
                return
            await asyncio.sleep(0.05)
        self.log.warning("Processes of uid %d (%s) still running after stop", uid, self.user.name)

    async def _wait_until_listening(self, ip: str, port: int) -> None:
        """Return once the server accepts connections (or has died, or http_timeout passed).

        JupyterHub then checks the server with exponential back-off (0.2 s, 0.4 s, 0.8 s, ...),
        which adds up to 1.6 s to a 2.5 s start; polling every 50 ms here lets its first
        check succeed. The hub still does its own check and its own timeout handling.
        """
        deadline = time.monotonic() + self.http_timeout
        while time.monotonic() < deadline and self.proc is not None and self.proc.poll() is None:
            if self._network is not None:
                # the host's port is the relay's, which accepts at once: ask inside the jail
                if await self._network.server_accepts():
                    return
                await asyncio.sleep(0.05)
                continue
            try:
                _, writer = await asyncio.open_connection(ip or "127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
            else:
                writer.close()
                return

    def get_env(self):
        env = super().get_env()
        if self.service_api_url:
            env["NBCAMPUS_API_URL"] = self.service_api_url
        if getattr(self, "_own_network", False):
            env["NBCAMPUS_OWN_NETWORK"] = "1"
        if self._wants_proxy:
            # get_env runs once super().start() chose the server's port: the proxy avoids it
            used = {self.port, *(p for _, p in self._outbound())}
            self._proxy_port = PackageProxy(parent=self).port_avoiding(used)
            env.update(proxy_env(self._proxy_port, self._packages))
        with_server_config(
            env, self.common_config_dir, self.learner_config_dir, getattr(self, "_staff", False)
        )
        return env
