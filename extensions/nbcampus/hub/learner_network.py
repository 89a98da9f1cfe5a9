"""The network of one learner's jail: its own namespace, with the school's three ways in and out.

The jail (bwrap ``--unshare-net``) has a loopback of its own and nothing else: no route to the
host's loopback (PostgreSQL, Redis, other learners' kernels and servers) or any other address.
The hub relays exactly three things, on its own event loop (``relay.py``):

- in: the host's ``127.0.0.1:<server port>``, where the proxy and the hub reach the server,
  to the jail's ``127.0.0.1:<server port>``, where the server listens;
- out: the jail's ``127.0.0.1:<hub port>`` to the hub API, and the jail's
  ``127.0.0.1:<service port>`` to the nbcampus service: the same URLs as without a jail
  (``JUPYTERHUB_API_URL``, ``NBCAMPUS_API_URL``), so nothing in the server changes.

Where the learner's courses name package hosts, a fourth: the package proxy
(``package_proxy.py``), listening on the jail's ``127.0.0.1:<proxy port>`` and connecting from
the hub's network to those hosts only.

The jail-side sockets are made by the hub inside the jail's namespace (``netns.py``); the
listeners inside exist before the server's first request, since the hub opens them within
milliseconds of bwrap's start and the server needs a second to import. Kernels listen on the
jail's loopback: no one outside can connect to them.
"""

from __future__ import annotations

import asyncio
import resource
import socket
from dataclasses import dataclass, field
from urllib.parse import urlparse

from nbcampus.hub.netns import NetworkNamespace, jail_namespace
from nbcampus.hub.package_proxy import AllowListProxy

from . import relay

LOOPBACK = "127.0.0.1"


def raise_open_files_limit() -> None:
    """Each running server holds a few descriptors in the hub (its relays, its namespace) and two
    per open connection: let the hub use as many as its hard limit allows (Debian's soft
    default, 1024, would cap a school at a few hundred learners)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class NetworkSetupError(RuntimeError):
    """The jail's network could not be set up (the server cannot be reached or reach the hub)."""


def loopback_endpoint(url: str) -> tuple[str, int]:
    """``(host, port)`` of an http URL on the host's loopback, as the jail must reach it."""
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if parsed.hostname not in (LOOPBACK, "localhost"):
        raise NetworkSetupError(
            f"{url}: a learner's jail reaches only the host's 127.0.0.1 (its own network "
            "namespace); set the hub and service URLs to 127.0.0.1, or "
            "LearnerIsolation.network = 'shared'"
        )
    return LOOPBACK, port


@dataclass
class LearnerNetwork:
    """The relays of one running jail; :meth:`close` ends them (the namespace then goes)."""

    namespace: NetworkNamespace
    server_port: int
    servers: list[asyncio.AbstractServer] = field(default_factory=list)

    @classmethod
    async def open(
        cls,
        bwrap_pid: int,
        server_port: int,
        outbound: list[tuple[str, int]],
        proxy: tuple[int, AllowListProxy] | None = None,
    ) -> LearnerNetwork:
        """Relay the host's ``127.0.0.1:server_port`` into the jail of ``bwrap_pid``, and each of
        ``outbound`` (host endpoints on loopback) from the same port on the jail's loopback;
        with ``proxy`` (port, proxy), serve that package proxy on the jail's loopback."""
        return await relay.on_relay_loop(cls._open(bwrap_pid, server_port, outbound, proxy))

    @classmethod
    async def _open(
        cls,
        bwrap_pid: int,
        server_port: int,
        outbound: list[tuple[str, int]],
        proxy: tuple[int, AllowListProxy] | None = None,
    ) -> LearnerNetwork:
        raise_open_files_limit()
        namespace = await jail_namespace(bwrap_pid)
        network = cls(namespace, server_port)
        try:
            for host, port in outbound:
                listener = await network._listen_inside(port)
                network.servers.append(
                    await relay.serve(listener, network._to_host(host, port), f"jail->{port}")
                )
            if proxy is not None:
                proxy_port, package_proxy = proxy
                listener = await network._listen_inside(proxy_port)
                network.servers.append(await package_proxy.serve(listener))
            inbound = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
            try:
                inbound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                inbound.bind((LOOPBACK, server_port))
                inbound.listen(128)
                inbound.setblocking(False)
            except OSError:
                inbound.close()
                raise
            network.servers.append(
                await relay.serve(inbound, network.connect_inside, f"->jail:{server_port}")
            )
        except BaseException:
            network._close()
            raise
        return network

    async def _listen_inside(self, port: int) -> socket.socket:
        sock = await self.namespace.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # bwrap brings the jail's loopback up just after it clones: until then 127.0.0.1 is
        # not an address there
        for _ in range(500):
            try:
                sock.bind((LOOPBACK, port))
                break
            except OSError:
                await asyncio.sleep(0.002)
        else:
            sock.close()
            raise NetworkSetupError(f"cannot listen on the jail's 127.0.0.1:{port}")
        sock.listen(128)
        return sock

    @staticmethod
    def _to_host(host: str, port: int) -> relay.Connect:
        async def connect() -> socket.socket:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
            sock.setblocking(False)
            return await relay.connect_tcp(sock, host, port)

        return connect

    async def connect_inside(self) -> socket.socket:
        """A connection to the server, on the jail's loopback."""
        sock = await self.namespace.socket()
        return await relay.connect_tcp(sock, LOOPBACK, self.server_port)

    async def server_accepts(self) -> bool:
        """Whether the server listens in the jail yet."""
        return await relay.on_relay_loop(self._server_accepts())

    async def _server_accepts(self) -> bool:
        try:
            sock = await self.connect_inside()
        except OSError:
            return False
        sock.close()
        return True

    def close(self) -> None:
        """End the relays (from any thread); open connections end with the jail."""
        relay.relay_loop().call_soon_threadsafe(self._close)

    def _close(self) -> None:
        for server in self.servers:
            server.close()
        self.servers.clear()
        self.namespace.close()
