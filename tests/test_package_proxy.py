"""The package proxy: a real AllowListProxy on a loopback socket, real clients, real upstreams.

Tests may not reach the internet, so the upstreams are servers on 127.0.0.1 that the proxy
reaches through pinned addresses (``upstreams``, the hub's configuration) or, for the refusals
of what DNS says, through the real resolver (``localhost``) or a resolver given as a plain
mapping of names to addresses (standing in for DNS, not for the proxy).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from nbcampus.hub.package_access import PackageHosts, PackageProxy, proxy_env
from nbcampus.hub.package_proxy import AllowListProxy, public_address


@asynccontextmanager
async def serving(handler) -> AsyncIterator[int]:
    """An asyncio server on 127.0.0.1 running ``handler``; yields its port."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """An upstream that answers every chunk with ``echo:`` + the chunk, until EOF."""
    while data := await reader.read(65536):
        writer.write(b"echo:" + data)
        await writer.drain()
    writer.write(b"bye")
    writer.close()


class Web:
    """A plain HTTP upstream that records the request heads it receives."""

    def __init__(self) -> None:
        self.heads: list[bytes] = []

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.heads.append(await reader.readuntil(b"\r\n\r\n"))
        body = b"simple index"
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()


@asynccontextmanager
async def proxy_on_loopback(proxy: AllowListProxy) -> AsyncIterator[int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.setblocking(False)
    server = await proxy.serve(listener)
    try:
        yield listener.getsockname()[1]
    finally:
        server.close()


async def ask(port: int, head: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    """Send ``head`` to the proxy; return the connection and the answer's status line."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head.encode())
    await writer.drain()
    status = await asyncio.wait_for(reader.readuntil(b"\r\n"), 10)
    return reader, writer, status


async def refused(port: int, head: str) -> str:
    """The body of the proxy's 403 to ``head``."""
    reader, writer, status = await ask(port, head)
    body = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    assert status.startswith(b"HTTP/1.1 403 "), (status, body)
    return body.decode()


def mapping(names: dict[str, list[str]]):
    async def resolve(host: str, port: int) -> list[str]:
        if host not in names:
            raise OSError("no such name")
        return names[host]

    return resolve


async def test_refuses_a_host_not_on_the_list_and_logs_it(caplog):
    async with serving(echo) as upstream:
        proxy = AllowListProxy(
            frozenset({"pypi.test"}),
            who="ana",
            upstreams={
                "pypi.test:443": f"127.0.0.1:{upstream}",
                "evil.test:443": f"127.0.0.1:{upstream}",
            },
        )
        async with proxy_on_loopback(proxy) as port:
            with caplog.at_level(logging.WARNING, logger="JupyterHub"):
                body = await refused(
                    port, "CONNECT evil.test:443 HTTP/1.1\r\nHost: evil.test\r\n\r\n"
                )
    assert "evil.test is not a package host of this learner's courses" in body
    assert "package proxy (ana): refused 'CONNECT evil.test:443 HTTP/1.1'" in caplog.text


async def test_refuses_ip_literals_whatever_the_list_says():
    proxy = AllowListProxy(frozenset({"127.0.0.1", "::1", "pypi.test"}))
    async with proxy_on_loopback(proxy) as port:
        for head in (
            "CONNECT 127.0.0.1:5432 HTTP/1.1\r\n\r\n",
            "CONNECT 127.0.0.1:443 HTTP/1.1\r\n\r\n",
            "CONNECT [::1]:443 HTTP/1.1\r\n\r\n",
            "GET http://127.0.0.1/ HTTP/1.1\r\n\r\n",
            "GET http://2130706433/ HTTP/1.1\r\n\r\n",  # 127.0.0.1 as one number: not a name
        ):
            body = await refused(port, head)
            assert "is an IP address" in body or "is not a package host" in body, (head, body)


async def test_refuses_a_name_that_resolves_to_loopback_or_a_private_address():
    # real DNS: localhost is 127.0.0.1 (and ::1)
    proxy = AllowListProxy(frozenset({"localhost"}))
    async with proxy_on_loopback(proxy) as port:
        body = await refused(port, "CONNECT localhost:443 HTTP/1.1\r\n\r\n")
    assert "localhost resolves to" in body and "not a public address" in body

    names = {
        "pg.test": ["127.0.0.1"],
        "lan.test": ["10.0.0.7"],
        "mapped.test": ["::ffff:127.0.0.1"],
        "metadata.test": ["169.254.169.254"],
        # one bad address among good ones is enough: the proxy does not pick
        "mixed.test": ["93.184.215.14", "127.0.0.1"],
    }
    proxy = AllowListProxy(frozenset(names), resolve=mapping(names))
    async with proxy_on_loopback(proxy) as port:
        for host, addresses in names.items():
            body = await refused(port, f"CONNECT {host}:443 HTTP/1.1\r\n\r\n")
            assert f"{host} resolves to 127.0.0.1" in body or addresses[-1] in body, body
            assert "not a public address" in body


async def test_refuses_other_ports_and_methods_even_for_an_allowed_host():
    async with serving(echo) as upstream:
        pins = {f"pypi.test:{p}": f"127.0.0.1:{upstream}" for p in (22, 443, 5432, 8080)}
        proxy = AllowListProxy(frozenset({"pypi.test"}), upstreams=pins)
        async with proxy_on_loopback(proxy) as port:
            for p in (22, 5432):
                body = await refused(port, f"CONNECT pypi.test:{p} HTTP/1.1\r\n\r\n")
                assert f"port {p} of pypi.test" in body
            body = await refused(port, "GET http://pypi.test:8080/ HTTP/1.1\r\n\r\n")
            assert "port 8080" in body
            for head in (
                "POST http://pypi.test/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
                "GET /simple/ HTTP/1.1\r\nHost: pypi.test\r\n\r\n",  # not a proxy request
                "GET https://pypi.test/ HTTP/1.1\r\n\r\n",
            ):
                assert "only CONNECT" in await refused(port, head), head


async def test_passes_connect_to_an_allowed_host_both_ways():
    async with serving(echo) as upstream:
        proxy = AllowListProxy(
            frozenset({"pypi.test"}), upstreams={"pypi.test:443": f"127.0.0.1:{upstream}"}
        )
        async with proxy_on_loopback(proxy) as port:
            reader, writer, status = await ask(
                port, "CONNECT PyPI.test:443 HTTP/1.1\r\nHost: pypi.test:443\r\n\r\n"
            )
            assert status == b"HTTP/1.1 200 Connection established\r\n"
            assert await reader.readuntil(b"\r\n") == b"\r\n"
            writer.write(b"client hello")
            await writer.drain()
            assert await asyncio.wait_for(reader.readexactly(17), 10) == b"echo:client hello"
            writer.write_eof()  # a half-close reaches the upstream, which then says bye
            assert await asyncio.wait_for(reader.read(), 10) == b"bye"
            writer.close()
            assert proxy.active == 0 or await _settles(proxy)


async def _settles(proxy: AllowListProxy) -> bool:
    for _ in range(100):
        if proxy.active == 0:
            return True
        await asyncio.sleep(0.02)
    return False


async def test_forwards_a_plain_get_without_the_proxy_headers():
    web = Web()
    async with serving(web) as upstream:
        proxy = AllowListProxy(
            frozenset({"mirror.test"}), upstreams={"mirror.test:80": f"127.0.0.1:{upstream}"}
        )
        async with proxy_on_loopback(proxy) as port:
            reader, writer, status = await ask(
                port,
                "GET http://mirror.test/simple/numpy/ HTTP/1.1\r\nHost: elsewhere.test\r\n"
                "Proxy-Authorization: Basic c2VjcmV0\r\nAccept: text/html\r\n\r\n",
            )
            rest = await asyncio.wait_for(reader.read(), 10)
            writer.close()
    assert status == b"HTTP/1.1 200 OK\r\n"
    assert rest.endswith(b"simple index")
    head = web.heads[0].decode()
    assert head.startswith("GET /simple/numpy/ HTTP/1.1\r\nHost: mirror.test\r\n")
    assert "Accept: text/html" in head and "Connection: close" in head
    assert "Proxy-Authorization" not in head and "elsewhere" not in head


async def test_connections_are_bounded_and_timed():
    async with serving(echo) as upstream:
        proxy = AllowListProxy(
            frozenset({"pypi.test"}),
            upstreams={"pypi.test:443": f"127.0.0.1:{upstream}"},
            max_connections=2,
            header_timeout=0.3,
            idle_timeout=0.5,
        )
        async with proxy_on_loopback(proxy) as port:
            open_ = [await ask(port, "CONNECT pypi.test:443 HTTP/1.1\r\n\r\n") for _ in range(2)]
            assert all(status.startswith(b"HTTP/1.1 200") for _, _, status in open_)
            _, third, status = await ask(port, "CONNECT pypi.test:443 HTTP/1.1\r\n\r\n")
            assert status.startswith(b"HTTP/1.1 503 "), status
            third.close()
            # the idle tunnels close by themselves
            for reader, writer, _ in open_:
                await reader.readuntil(b"\r\n")
                assert await asyncio.wait_for(reader.read(), 10) == b""
                writer.close()
            # a client that says nothing is dropped after header_timeout
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            answer = await asyncio.wait_for(reader.read(), 10)
            writer.close()
            assert answer.startswith(b"HTTP/1.1 408 "), answer


def test_public_addresses():
    assert public_address("93.184.215.14") is not None
    assert public_address("2606:4700::6810:84e5") is not None
    for text in (
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "0.0.0.0",
        "224.0.0.1",
        "::ffff:10.0.0.1",
        "not-an-ip",
    ):
        assert public_address(text) is None, text


def test_union_of_enrolled_courses_and_the_environment():
    rows = [
        {
            "course": "b",
            "status": "enrolled",
            "packages": {"hosts": ["pypi.org", "files.pythonhosted.org"], "index_url": None},
        },
        {
            "course": "a",
            "status": "enrolled",
            "packages": {
                "hosts": ["mirror.school.example"],
                "index_url": "https://mirror.school.example/simple",
            },
        },
        {"course": "c", "status": "unenrolled", "packages": {"hosts": ["left.example"]}},
        {"course": "d", "status": "waitlisted", "packages": {"hosts": ["wait.example"]}},
        {"course": "e", "status": "enrolled", "packages": {"hosts": [], "index_url": None}},
    ]
    packages = PackageHosts.of_enrolments(rows)
    assert packages.hosts == ("files.pythonhosted.org", "mirror.school.example", "pypi.org")
    assert packages.indexes == ("https://mirror.school.example/simple",)
    env = proxy_env(3128, packages)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "PIP_PROXY"):
        assert env[name] == "http://127.0.0.1:3128"
    assert env["PIP_INDEX_URL"] == "https://mirror.school.example/simple"
    assert "127.0.0.1" in env["NO_PROXY"].split(",")
    assert not PackageHosts.of_enrolments([r for r in rows if r["course"] in "cde"])


def test_pinned_upstreams_from_the_environment(monkeypatch):
    monkeypatch.setenv("NBCAMPUS_PACKAGE_UPSTREAMS", '{"pypi.school.example:443": "10.0.0.5:443"}')
    proxy = PackageProxy().proxy_for(PackageHosts(("pypi.school.example",)), "ana")
    assert proxy.upstreams == {"pypi.school.example:443": "10.0.0.5:443"}
    assert PackageProxy().port_avoiding({3128, 3129}) == 3130
    monkeypatch.setenv("NBCAMPUS_PACKAGE_UPSTREAMS", '["pypi.org"]')
    with pytest.raises(Exception, match="NBCAMPUS_PACKAGE_UPSTREAMS"):
        _ = PackageProxy().upstreams
    with pytest.raises(Exception, match="both must be host:port"):
        PackageProxy(upstreams={"pypi.school.example": "10.0.0.5:443"})
    with pytest.raises(Exception, match="both must be host:port"):
        PackageProxy(upstreams={"pypi.school.example:443": "10.0.0.5:https"})
