"""Package-index access of a learner's server: which hosts, the proxy's settings, the environment.

A learner has one server for all their courses, and every kernel in it runs as the same uid in
the same network namespace: nothing inside could keep course A's notebooks off course B's hosts.
So the rule is per server, the union: a server may reach the package hosts of every course its
learner is enrolled in (status ``enrolled``) when it starts; enrolling in or leaving a course
changes them at the next start. A server whose courses name no hosts gets no proxy and no
proxy environment at all (the default).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from traitlets import Dict, Float, Integer, TraitError, Unicode, default, validate
from traitlets.config import LoggingConfigurable

from nbcampus.hub.package_proxy import AllowListProxy


@dataclass(frozen=True)
class PackageHosts:
    """What one server may reach: the hosts, and the indexes pip should use (first one wins)."""

    hosts: tuple[str, ...] = ()
    indexes: tuple[str, ...] = ()

    @classmethod
    def of_enrolments(cls, enrolments: list[dict[str, Any]]) -> PackageHosts:
        """The union over the learner's enrolled courses (``GET /api/me/enrolments`` rows),
        in course id order so that the same courses always give the same environment."""
        hosts: set[str] = set()
        indexes: list[str] = []
        for row in sorted(enrolments, key=lambda r: r["course"]):
            if row.get("status") != "enrolled":
                continue
            packages = row.get("packages") or {}
            hosts.update(packages.get("hosts") or [])
            if packages.get("index_url") and packages["index_url"] not in indexes:
                indexes.append(packages["index_url"])
        return cls(tuple(sorted(hosts)), tuple(indexes))

    def __bool__(self) -> bool:
        return bool(self.hosts)


def proxy_env(port: int, packages: PackageHosts) -> dict[str, str]:
    """The environment that sends pip (and curl, requests, urllib) through the proxy on the
    jail's ``127.0.0.1:port``; the school's own URLs on loopback stay direct."""
    url = f"http://127.0.0.1:{port}"
    env = {
        name: url
        for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "PIP_PROXY")
    }
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost,::1"
    if packages.indexes:
        env["PIP_INDEX_URL"] = packages.indexes[0]
        if len(packages.indexes) > 1:
            env["PIP_EXTRA_INDEX_URL"] = " ".join(packages.indexes[1:])
        # pip ignores an http index unless told to trust its host: the course chose it
        plain = [urlsplit(u).hostname for u in packages.indexes if u.startswith("http://")]
        if plain:
            env["PIP_TRUSTED_HOST"] = " ".join(dict.fromkeys(h for h in plain if h))
    return env


def _endpoint(text: object) -> bool:
    """Whether ``text`` is ``name:port`` or ``[v6]:port`` with a port number."""
    if not isinstance(text, str) or ":" not in text:
        return False
    host, port = text.rsplit(":", 1)
    return bool(host.strip("[]")) and port.isdigit() and 0 < int(port) < 65536


def _check_upstreams(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TraitError(f'{where}: {{"host:port": "address:port", ...}} expected')
    for key, target in value.items():
        if not (_endpoint(key) and _endpoint(target)):
            raise TraitError(
                f"{where}: {key!r}: {target!r}: both must be host:port (e.g. "
                '"pypi.school.example:443": "10.0.0.5:443")'
            )
    return value


class PackageProxy(LoggingConfigurable):
    """The hub's package proxy for learners' servers (``c.PackageProxy.<name>``): which hosts
    it admits comes from the course files (``packages.hosts``); these are its bounds."""

    port = Integer(
        3128,
        help="Port on each jail's own loopback where its server finds the proxy (the next free "
        "one if the server's or a relay's port is that one).",
    ).tag(config=True)

    upstreams = Dict(
        value_trait=Unicode(),
        help="Pinned addresses instead of DNS, for a private mirror: {'pypi.school.example:443': "
        "'10.0.0.5:443'}. Only the hub's configuration can pin a name, and a pinned address "
        "may be private or on the hub's own loopback (a devpi on 127.0.0.1:3141): name exactly "
        "the mirror's. The host must still be in a course's packages.hosts. From "
        "NBCAMPUS_PACKAGE_UPSTREAMS (JSON).",
    ).tag(config=True)

    @default("upstreams")
    def _default_upstreams(self) -> dict[str, str]:
        raw = os.environ.get("NBCAMPUS_PACKAGE_UPSTREAMS") or "{}"
        try:
            value = json.loads(raw)
        except ValueError as e:
            raise TraitError(f"NBCAMPUS_PACKAGE_UPSTREAMS is not valid JSON: {e}") from None
        # defaults skip @validate: check them the same way
        return _check_upstreams(value, "NBCAMPUS_PACKAGE_UPSTREAMS")

    @validate("upstreams")
    def _check_upstreams_trait(self, proposal) -> dict[str, str]:
        return _check_upstreams(proposal["value"], "PackageProxy.upstreams")

    max_connections = Integer(
        16, help="Connections one server may hold open through the proxy at a time."
    ).tag(config=True)

    connect_timeout = Float(10.0, help="Seconds for looking a host up and connecting to it.").tag(
        config=True
    )

    header_timeout = Float(10.0, help="Seconds a client has to send its request head.").tag(
        config=True
    )

    idle_timeout = Float(
        120.0, help="Seconds a tunnel stays open with no byte moving either way."
    ).tag(config=True)

    def proxy_for(self, packages: PackageHosts, who: str) -> AllowListProxy:
        """The proxy of one server, admitting ``packages.hosts``."""
        return AllowListProxy(
            hosts=frozenset(packages.hosts),
            who=who,
            upstreams=dict(self.upstreams),
            max_connections=self.max_connections,
            header_timeout=self.header_timeout,
            connect_timeout=self.connect_timeout,
            idle_timeout=self.idle_timeout,
        )

    def port_avoiding(self, used: set[int]) -> int:
        port = self.port
        while port in used:
            port += 1
        return port
