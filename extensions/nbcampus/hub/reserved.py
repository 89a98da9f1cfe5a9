"""Names nobody may sign up under: the hub's own people and parts.

With open sign-up, the first person to sign up under a name is that user. A name the hub gives a
meaning to (an admin in ``admin_users``, a service, ``root``, ``hub``...) must therefore never be
taken by signing up: such accounts are seeded (from a Secret on Kubernetes) or come from SSO.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: refused at sign-up whatever the configuration adds (admins and service names are added to it)
RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "root",
        "hub",
        "jupyterhub",
        "system",
        "superuser",
        "staff",
        "support",
        "security",
        "postmaster",
        "webmaster",
        "service",
        "services",
        "api",
        "user",
        "users",
    }
)


def _skeleton(name: str) -> str:
    # "Ad-min", "admin_" and "a.d.m.i.n" read as "admin" on a screen: compare without separators
    return re.sub(r"[-_.]", "", name.lower())


def is_reserved_username(username: str, reserved: Iterable[str]) -> bool:
    """Whether ``username`` is, or reads as, one of the ``reserved`` names."""
    skeleton = _skeleton(username)
    return any(skeleton == _skeleton(name) for name in reserved)
