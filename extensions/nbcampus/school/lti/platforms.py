"""The LMS platforms the school trusts: read from the admin's settings file (JSON), several at
once, each with its issuer, client id, deployment ids and endpoints."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from nbcampus.school.core.api import CampusError

REQUIRED = (
    "issuer",
    "client_id",
    "deployment_ids",
    "auth_login_url",
    "auth_token_url",
    "key_set_url",
)
_PREFIX = re.compile(r"^[a-z][a-z0-9]{0,15}$")


class PlatformSettingsError(CampusError):
    """The platforms file is wrong: the message says which platform and which field."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=500)


@dataclass(frozen=True)
class Platform:
    """One registered LMS (a Moodle, a Canvas...), as its admin and ours agreed."""

    name: str
    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    #: LMS course (context id) -> {"course": ..., "cohort": ...}: links made by the admin
    contexts: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the nbcampus courses this platform's instructors may link a context to themselves
    courses: tuple[str, ...] = ()
    #: accounts made for this platform's users are named <prefix>-<digest of the subject>
    username_prefix: str = "lti"


def load_platforms(path: str | Path) -> list[Platform]:
    """The platforms of the JSON file ``path`` (a list of objects); [] when ``path`` is empty."""
    if not path:
        return []
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise PlatformSettingsError(f"{path}: not a readable JSON file: {e}") from None
    if not isinstance(data, list):
        raise PlatformSettingsError(f"{path}: must hold a list of platforms")
    platforms, seen = [], set()
    for number, entry in enumerate(data, start=1):
        where = f"{path}: platform {number}"
        if not isinstance(entry, dict):
            raise PlatformSettingsError(f"{where}: must be an object")
        missing = [k for k in REQUIRED if not entry.get(k)]
        if missing:
            raise PlatformSettingsError(f"{where}: missing {', '.join(missing)}")
        prefix = entry.get("username_prefix", "lti")
        if not _PREFIX.match(prefix):
            raise PlatformSettingsError(
                f"{where}: username_prefix must be 1-16 lower-case letters and digits"
            )
        key = (entry["issuer"], entry["client_id"])
        if key in seen:
            raise PlatformSettingsError(f"{where}: issuer and client_id registered twice")
        seen.add(key)
        deployments = entry["deployment_ids"]
        if not isinstance(deployments, list) or not all(isinstance(d, str) for d in deployments):
            raise PlatformSettingsError(f"{where}: deployment_ids must be a list of strings")
        platforms.append(
            Platform(
                name=entry.get("name", entry["issuer"]),
                issuer=entry["issuer"],
                client_id=entry["client_id"],
                deployment_ids=tuple(deployments),
                auth_login_url=entry["auth_login_url"],
                auth_token_url=entry["auth_token_url"],
                key_set_url=entry["key_set_url"],
                contexts=dict(entry.get("contexts", {})),
                courses=tuple(entry.get("courses", [])),
                username_prefix=prefix,
            )
        )
    return platforms


def find_platform(
    platforms: list[Platform], issuer: str, client_id: str | None = None
) -> Platform | None:
    """The platform of ``issuer`` (and ``client_id`` when given), or None."""
    for platform in platforms:
        if platform.issuer == issuer and client_id in (None, platform.client_id):
            return platform
    return None
