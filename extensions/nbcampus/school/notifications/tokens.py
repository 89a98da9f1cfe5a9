"""Signed one-click unsubscribe keys: what to turn off for whom, with an HMAC from a secret
kept in the state folder (made once, mode 0600, shared by replicas)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

from nbcampus.school.core.api import CampusError, shared_secret

SECRET_FILE = "notifications_secret"


def load_or_create_secret(state_dir: str | Path) -> bytes:
    """The school's signing secret of its mail links, made on first use, shared by replicas."""
    return shared_secret(Path(state_dir) / SECRET_FILE)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, b"unsubscribe:" + payload.encode(), hashlib.sha256).digest())


def sign(secret: bytes, username: str, pairs: list[tuple[str, str]]) -> str:
    """A key that turns off these (course, kind) mails of ``username``."""
    payload = _b64(json.dumps({"u": username, "p": sorted(set(pairs))}).encode())
    return f"{payload}.{_mac(secret, payload)}"


def verify(secret: bytes, key: str) -> tuple[str, list[tuple[str, str]]]:
    """(username, pairs) of a key this school signed; CampusError (400) otherwise."""
    payload, _, mac = (key or "").partition(".")
    if not payload or not mac or not hmac.compare_digest(mac, _mac(secret, payload)):
        raise CampusError("key: not an unsubscribe key of this school (or altered)")
    try:
        data = json.loads(_unb64(payload))
        return str(data["u"]), [(str(c), str(k)) for c, k in data["p"]]
    except (ValueError, KeyError, TypeError):
        raise CampusError("key: its content is unreadable") from None


def _address_mac(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, b"verify-address:" + payload.encode(), hashlib.sha256).digest())


def sign_address(secret: bytes, username: str, email: str) -> str:
    """A key that confirms ``email`` is ``username``'s (another purpose than unsubscribing:
    neither key works as the other)."""
    payload = _b64(json.dumps({"u": username, "e": email}).encode())
    return f"{payload}.{_address_mac(secret, payload)}"


def verify_address(secret: bytes, key: str) -> tuple[str, str]:
    """(username, email) of an address key this school signed; CampusError (400) otherwise."""
    payload, _, mac = (key or "").partition(".")
    if not payload or not mac or not hmac.compare_digest(mac, _address_mac(secret, payload)):
        raise CampusError("key: not an address confirmation of this school (or altered)")
    try:
        data = json.loads(_unb64(payload))
        return str(data["u"]), str(data["e"])
    except (ValueError, KeyError, TypeError):
        raise CampusError("key: its content is unreadable") from None
