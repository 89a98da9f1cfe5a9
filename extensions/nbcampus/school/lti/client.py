"""The tool's calls to platforms (as the mail sender is notifications' call to SMTP): the
platform's keys, OAuth 2 access tokens by client credentials with a signed JWT assertion,
line items, scores and memberships. Blocking (requests): the service runs it on its thread
pool, the command line directly."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from jwcrypto import jwk, jwt

from nbcampus.school.lti.grades import Item, line_item_body, resource_id
from nbcampus.school.lti.platforms import Platform

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_MEMBERSHIPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LINE_ITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINE_ITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
#: the platform's keys are read again after this long (or at once for an unknown key id)
KEYS_SECONDS = 300


class PlatformError(RuntimeError):
    """A platform answered badly; ``status`` is its HTTP status (None: no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PlatformClient:
    """Talks to the registered platforms on the tool's behalf (thread-safe caches)."""

    def __init__(self, key: jwk.JWK, timeout: float = 15) -> None:
        self.key = key
        self.timeout = timeout
        self.http = requests.Session()
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[float, jwk.JWKSet]] = {}
        self._tokens: dict[tuple[str, str], tuple[float, str]] = {}

    def _call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.http.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as e:
            raise PlatformError(f"{method} {url}: {e}") from None
        if response.status_code >= 400:
            raise PlatformError(
                f"{method} {url}: {response.status_code} {response.text[:300]}",
                response.status_code,
            )
        return response

    def keys(self, platform: Platform, kid: str | None = None) -> jwk.JWKSet:
        """The platform's JWKS, cached; read again when ``kid`` is not in it."""
        with self._lock:
            cached = self._keys.get(platform.key_set_url)
        if cached and time.monotonic() - cached[0] < KEYS_SECONDS:
            if kid is None or cached[1].get_key(kid) is not None:
                return cached[1]
        keys = jwk.JWKSet.from_json(self._call("GET", platform.key_set_url).text)
        with self._lock:
            self._keys[platform.key_set_url] = (time.monotonic(), keys)
        return keys

    def access_token(self, platform: Platform, scopes: list[str]) -> str:
        """A bearer token for ``scopes`` from the platform's token endpoint (cached until
        shortly before it expires)."""
        scope = " ".join(sorted(scopes))
        with self._lock:
            cached = self._tokens.get((platform.issuer, scope))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        now = int(time.time())
        assertion = jwt.JWT(
            header={"alg": "RS256", "kid": self.key.get("kid"), "typ": "JWT"},
            claims={
                "iss": platform.client_id,
                "sub": platform.client_id,
                "aud": platform.auth_token_url,
                "iat": now,
                "exp": now + 300,
                "jti": secrets.token_urlsafe(16),
            },
        )
        assertion.make_signed_token(self.key)
        answer = self._call(
            "POST",
            platform.auth_token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion.serialize(),
                "scope": scope,
            },
        ).json()
        token = answer["access_token"]
        lifetime = float(answer.get("expires_in", 3600))
        with self._lock:
            self._tokens[(platform.issuer, scope)] = (time.monotonic() + lifetime * 0.8, token)
        return token

    def _headers(self, platform: Platform, scopes: list[str], **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token(platform, scopes)}", **more}

    def line_item(self, platform: Platform, lineitems_url: str, course_id: str, item: Item) -> str:
        """The URL of the item's line item: found on the platform by its resourceId, else made.

        Asking the platform first means a column is never made twice, even when the tool's own
        record is gone (a re-linked LMS course, a restored database, a second tool replica)."""
        headers = self._headers(platform, [SCOPE_LINEITEM], Accept=LINE_ITEMS)
        wanted = resource_id(course_id, item.id)
        found = self._call(
            "GET", _with_query(lineitems_url, {"resource_id": wanted}), headers=headers
        ).json()
        for line_item in found:
            if line_item.get("resourceId") == wanted:
                return line_item["id"]
        made = self._call(
            "POST",
            lineitems_url,
            json=line_item_body(course_id, item),
            headers=self._headers(platform, [SCOPE_LINEITEM], **{"Content-Type": LINE_ITEM}),
        ).json()
        return made["id"]

    def post_score(self, platform: Platform, line_item_url: str, body: dict[str, Any]) -> int:
        """POST the score to ``<line item>/scores``; the platform's status code."""
        response = self._call(
            "POST",
            _with_path(line_item_url, "/scores"),
            json=body,
            headers=self._headers(platform, [SCOPE_SCORE], **{"Content-Type": SCORE}),
        )
        return response.status_code

    def members(self, platform: Platform, memberships_url: str) -> list[dict[str, Any]]:
        """Every member of the LMS course (all pages of the NRPS container)."""
        members: list[dict[str, Any]] = []
        url: str | None = memberships_url
        while url:
            response = self._call(
                "GET", url, headers=self._headers(platform, [SCOPE_MEMBERSHIPS], Accept=MEMBERSHIPS)
            )
            members.extend(response.json().get("members", []))
            url = response.links.get("next", {}).get("url")
        return members


def _with_query(url: str, query: dict[str, str]) -> str:
    parts = urlsplit(url)
    extra = urlencode(query)
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


def _with_path(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))
