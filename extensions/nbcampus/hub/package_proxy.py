"""An allow-list HTTP proxy for package indexes: what a learner's ``pip install`` goes through.

One proxy per running server, on the relays' event loop in the hub's process (``relay.py``),
listening on the jail's own loopback (a socket the hub makes inside the jail's network
namespace, as for the relays) and connecting out from the hub's network. It admits:

- ``CONNECT host:443`` (or ``:80``): a tunnel, for https (what pip uses);
- ``GET http://host/...`` on port 80: one request, forwarded with ``Connection: close``;

and only where ``host`` is one of the names the learner's courses allow. Everything else is
refused with 403 and logged: other hosts and ports, IP literals, other methods, and a named host
that resolves to any address that is not public (loopback, private, link-local, shared,
reserved, multicast): a course naming a host whose DNS points at 127.0.0.1 does not reach the
PostgreSQL next to the hub. The proxy connects to the address it checked (no second lookup).
Only the hub's configuration can pin a name to an address of its choosing (``upstreams``: a
private mirror), never a course file.

Bounded: at most ``max_connections`` at a time per server, a deadline for the request head, for
the lookup and for the connection, and a tunnel closes after ``idle_timeout`` without traffic.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger("JupyterHub")

#: name, port -> the addresses to try
Resolve = Callable[[str, int], Awaitable[list[str]]]

CONNECT_PORTS = (443, 80)
GET_PORT = 80
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-authenticate",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "host",
}


class Refused(Exception):
    """A request the proxy does not pass on; the message says why (sent and logged)."""

    def __init__(self, reason: str, status: int = 403):
        super().__init__(reason)
        self.status = status


async def resolve_dns(host: str, port: int) -> list[str]:
    """The addresses DNS gives ``host`` (the hub's resolver)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def public_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``text`` as an address if it is a public unicast one, else None."""
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:  # ::ffff:127.0.0.1 is 127.0.0.1
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast:
        return None
    return ip


def is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def split_authority(authority: str, default_port: int | None = None) -> tuple[str, int]:
    """``host:port`` (an IPv6 literal in brackets) -> (lower-case host, port)."""
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port_text = authority.rpartition(":") if ":" in authority else (authority, "", "")
    if not port_text:
        if default_port is None:
            raise Refused(f"{authority!r}: no port", 400)
        return host.lower().rstrip("."), default_port
    if not port_text.isdigit():
        raise Refused(f"{authority!r}: the port is not a number", 400)
    return host.lower().rstrip("."), int(port_text)


@dataclass
class AllowListProxy:
    """The proxy of one learner's server: ``hosts`` are the names it admits."""

    hosts: frozenset[str]
    #: who it serves, for the log (the learner's name)
    who: str = ""
    #: "host:port" -> "address:port" pinned by the hub's configuration instead of DNS (trusted:
    #: it may be private, e.g. a mirror in the school's network)
    upstreams: dict[str, str] = field(default_factory=dict)
    resolve: Resolve = resolve_dns
    max_connections: int = 16
    header_timeout: float = 10.0
    connect_timeout: float = 10.0
    idle_timeout: float = 120.0
    max_header_bytes: int = 16384
    active: int = 0

    async def serve(self, listener: socket.socket) -> asyncio.AbstractServer:
        """Accept proxy connections on ``listener`` (bound and listening)."""
        return await asyncio.start_server(self.handle, sock=listener, limit=self.max_header_bytes)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.active >= self.max_connections:
            log.warning("package proxy (%s): refused a connection: %d open", self.who, self.active)
            await self._answer(writer, 503, f"more than {self.max_connections} connections")
            return
        self.active += 1
        request = "?"
        try:
            head = await self._read_head(reader)
            request = head.split(b"\r\n", 1)[0].decode("latin-1")
            await self._dispatch(head, reader, writer)
        except Refused as e:
            log.warning("package proxy (%s): refused %r: %s", self.who, request, e)
            await self._answer(writer, e.status, str(e))
        except (OSError, asyncio.IncompleteReadError):
            pass
        except Exception:  # a bug here must not pass anything on, nor end the relays' loop
            log.exception("package proxy (%s): failed on %r", self.who, request)
            await self._answer(writer, 502, "the proxy failed")
        finally:
            self.active -= 1
            writer.close()

    async def _read_head(self, reader: asyncio.StreamReader) -> bytes:
        try:
            return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.header_timeout)
        except asyncio.LimitOverrunError:
            raise Refused(f"request head longer than {self.max_header_bytes} bytes", 431) from None
        except TimeoutError:
            raise Refused(f"no request head in {self.header_timeout:g} s", 408) from None

    async def _dispatch(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise Refused("not an HTTP/1 request", 400)
        method, target, _ = parts
        if method == "CONNECT":
            host, port = split_authority(target)
            address = await self._admit(host, port, CONNECT_PORTS)
            upstream_reader, upstream_writer = await self._connect(host, address)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await self._tunnel(reader, writer, upstream_reader, upstream_writer)
        elif method == "GET" and target.lower().startswith("http://"):
            authority, _, path = target[len("http://") :].partition("/")
            host, port = split_authority(authority.rpartition("@")[2], GET_PORT)
            if "@" in authority:
                raise Refused("credentials in the URL", 400)
            headers = [line for line in lines[1:] if line]
            if any(
                h.split(":", 1)[0].strip().lower() in ("content-length", "transfer-encoding")
                for h in headers
            ):
                raise Refused("a GET with a body", 400)
            address = await self._admit(host, port, (GET_PORT,))
            upstream_reader, upstream_writer = await self._connect(host, address)
            kept = [h for h in headers if h.split(":", 1)[0].strip().lower() not in _HOP_BY_HOP]
            upstream_writer.write(
                "\r\n".join(
                    [f"GET /{path} HTTP/1.1", f"Host: {host}", *kept, "Connection: close", "", ""]
                ).encode("latin-1")
            )
            await self._tunnel(reader, writer, upstream_reader, upstream_writer, request=False)
        else:
            raise Refused("only CONNECT, and GET of http:// URLs, pass")

    async def _admit(self, host: str, port: int, ports: tuple[int, ...]) -> tuple[str, int]:
        """The address to connect to for ``host:port``, or :class:`Refused` saying why not."""
        if is_address(host):
            raise Refused(f"{host} is an IP address: only named hosts pass")
        if host not in self.hosts:
            raise Refused(f"{host} is not a package host of this learner's courses")
        if port not in ports:
            raise Refused(f"port {port} of {host}: only {', '.join(map(str, ports))}")
        pinned = self.upstreams.get(f"{host}:{port}")
        if pinned:
            address, port_text = pinned.rsplit(":", 1)
            return address.strip("[]"), int(port_text)
        try:
            found = await asyncio.wait_for(self.resolve(host, port), self.connect_timeout)
        except (TimeoutError, OSError) as e:
            raise Refused(f"{host} does not resolve: {e or 'timed out'}", 502) from None
        if not found:
            raise Refused(f"{host} does not resolve", 502)
        for text in found:
            if public_address(text) is None:
                raise Refused(f"{host} resolves to {text}, which is not a public address")
        return found[0], port

    async def _connect(
        self, host: str, address: tuple[str, int]
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.wait_for(asyncio.open_connection(*address), self.connect_timeout)
        except (TimeoutError, OSError) as e:
            raise Refused(
                f"cannot connect to {host} ({address[0]}): {e or 'timed out'}", 502
            ) from None

    async def _tunnel(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        upstream_reader: asyncio.StreamReader,
        upstream_writer: asyncio.StreamWriter,
        request: bool = True,
    ) -> None:
        """Copy both ways (``request`` False: the answer only) until both ends are done, or
        until nothing moved for ``idle_timeout``."""
        last = [time.monotonic()]
        pipes = [asyncio.ensure_future(self._pipe(upstream_reader, writer, last))]
        if request:
            pipes.append(asyncio.ensure_future(self._pipe(reader, upstream_writer, last)))
        try:
            while not all(p.done() for p in pipes):
                await asyncio.wait(pipes, timeout=min(self.idle_timeout, 5.0))
                if time.monotonic() - last[0] > self.idle_timeout:
                    break
        finally:
            for pipe in pipes:
                pipe.cancel()
            upstream_writer.close()

    @staticmethod
    async def _pipe(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, last: list[float]
    ) -> None:
        try:
            while data := await reader.read(65536):
                last[0] = time.monotonic()
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()
        except OSError:
            pass

    @staticmethod
    async def _answer(writer: asyncio.StreamWriter, status: int, reason: str) -> None:
        names = {400: "Bad Request", 403: "Forbidden", 408: "Request Timeout"}
        names |= {431: "Request Header Fields Too Large", 502: "Bad Gateway"}
        body = f"nbcampus package proxy: {reason}\n".encode()
        writer.write(
            f"HTTP/1.1 {status} {names.get(status, 'Service Unavailable')}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        try:
            await asyncio.wait_for(writer.drain(), 5)
        except (TimeoutError, OSError):
            pass
        writer.close()
