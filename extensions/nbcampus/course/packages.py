"""A course's package-index access: the hosts its learners' servers may reach through the
hub's package proxy (``pip install`` in a lesson). Off unless the course file names them:

```yaml
packages:
  hosts: [pypi.org, files.pythonhosted.org]
  index_url: https://pypi.org/simple     # optional: what pip uses (PIP_INDEX_URL)
```

Hosts are DNS names, never addresses: the proxy resolves them itself and refuses any that
resolve to a loopback, private or otherwise non-public address (where an admin pins a name to
a private mirror, that is the hub's configuration, not the course file's).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

#: the ``packages`` key of the course schema; the host names are checked by :func:`check_packages`
PACKAGES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "hosts": {
            "type": "array",
            "minItems": 1,
            "maxItems": 20,
            "items": {"type": "string", "minLength": 1, "maxLength": 253},
        },
        "index_url": {"type": "string", "minLength": 1},
    },
    "required": ["hosts"],
}

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
#: names that are this machine whatever DNS says
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def host_problem(host: str) -> str:
    """Why ``host`` cannot be a package host ('' if it can): a lower-case DNS name with a dot,
    no scheme, port, path, wildcard or address."""
    if "://" in host or "/" in host:
        return f"{host!r} is a URL; name the host only (e.g. pypi.org)"
    if host.startswith("[") or _is_address(host):
        return f"{host!r} is an IP address; name the host (the proxy refuses addresses)"
    if ":" in host:
        return f"{host!r} has a port; name the host only (the proxy admits ports 443 and 80)"
    if host != host.lower():
        return f"{host!r} has upper-case letters; write host names in lower case"
    name = host.rstrip(".")
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return f"{host!r} is this machine; a course cannot open the hub's own loopback"
    labels = name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return f"{host!r} is not a host name (letters, digits and hyphens, with a dot: pypi.org)"
    return ""


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def index_url_problem(url: str, hosts: list[str]) -> str:
    """Why ``url`` cannot be the course's index ('' if it can)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"{url!r} is not an http(s) URL (e.g. https://pypi.org/simple)"
    if parts.username or parts.password:
        return f"{url!r} holds credentials; a course file is no place for secrets"
    if parts.port is not None and parts.port != (443 if parts.scheme == "https" else 80):
        return f"{url!r} names port {parts.port}; the proxy admits 443 (https) and 80 (http) only"
    if parts.hostname not in hosts:
        return f"the index's host {parts.hostname!r} is not in packages.hosts"
    return ""


def package_problems(packages: dict[str, Any]) -> list[tuple[tuple[Any, ...], str, str]]:
    """The problems of a schema-valid ``packages`` value: (path under the course, message, fix)."""
    found = []
    seen: set[str] = set()
    for i, host in enumerate(packages["hosts"]):
        where = ("packages", "hosts", i)
        problem = host_problem(host)
        if problem:
            found.append((where, f"packages.hosts[{i}]: {problem}", "e.g. hosts: [pypi.org]"))
        elif host in seen:
            found.append((where, f"packages.hosts[{i}]: {host!r} is listed twice", "keep one"))
        seen.add(host)
    url = packages.get("index_url")
    if url:
        problem = index_url_problem(url, packages["hosts"])
        if problem:
            found.append(
                (
                    ("packages", "index_url"),
                    f"packages.index_url: {problem}",
                    "an https URL on one of packages.hosts, e.g. https://pypi.org/simple",
                )
            )
    return found


def package_hosts(course_data: dict[str, Any]) -> list[str]:
    """The hosts a course lets its learners' servers reach; [] (the default) for none."""
    return list((course_data.get("packages") or {}).get("hosts", []))


def package_index(course_data: dict[str, Any]) -> str | None:
    """The package index a course names for pip, if any."""
    return (course_data.get("packages") or {}).get("index_url")
