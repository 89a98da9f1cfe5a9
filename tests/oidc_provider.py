"""A small OpenID Connect provider for the single sign-on tests: a Tornado app on 127.0.0.1 in a
thread of the test process, with its own RSA key.

- ``/.well-known/openid-configuration``: the discovery document;
- ``/authorize``: the person ``provider.person`` (as if already signed in at the provider) is
  sent back to the registered redirect URI with a one-time code and the client's state;
- ``/token``: the code (client_secret_basic, PKCE S256 checked) becomes an access token and an
  id_token signed with the provider's key (iss, aud, sub, exp, iat and the person's claims);
- ``/userinfo``: the person's claims for a bearer access token;
- ``/jwks``: the provider's public key.

``provider.forge`` makes the next id_token misbehave (``"signature"``: signed by another key,
``"audience"``: for another client, ``"expired"``) to test the hub's refusals.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

from jwcrypto import jwk, jwt
from tornado import web
from tornado.httpserver import HTTPServer

from nbcampus.testing import free_port


class OIDCProvider:
    """The provider's state: its client, the person signing in next, codes and tokens."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uris: set[str] = set()
        self.key = jwk.JWK.generate(kty="RSA", size=2048, kid="campus-1", use="sig", alg="RS256")
        self.person: dict[str, Any] = {}
        self.forge: str | None = None
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def id_token(self, claims: dict[str, Any]) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            **claims,
        }
        key = self.key
        if self.forge == "signature":
            key = jwk.JWK.generate(kty="RSA", size=2048, kid="campus-1")
        elif self.forge == "audience":
            body["aud"] = "someone-else"
        elif self.forge == "expired":
            body["iat"], body["exp"] = now - 3600, now - 1800
        token = jwt.JWT(header={"alg": "RS256", "kid": "campus-1"}, claims=body)
        token.make_signed_token(key)
        return token.serialize()

    # -- running ----------------------------------------------------------------------------
    def start(self) -> OIDCProvider:
        ready = threading.Event()

        def run() -> None:
            async def serve() -> None:
                server = HTTPServer(self.app())
                server.listen(self.port, "127.0.0.1")
                self._stop = asyncio.Event()
                ready.set()
                await self._stop.wait()
                server.stop()

            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(serve())

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)

    def app(self) -> web.Application:
        return web.Application(
            [
                (r"/.well-known/openid-configuration", Discovery),
                (r"/authorize", Authorize),
                (r"/token", Token),
                (r"/userinfo", UserInfo),
                (r"/jwks", Keys),
            ],
            provider=self,
        )


class Base(web.RequestHandler):
    @property
    def provider(self) -> OIDCProvider:
        return self.settings["provider"]

    def prepare(self) -> None:
        self.provider.requests.append(self.request.path)

    def fail(self, status: int, error: str, description: str) -> None:
        self.set_status(status)
        self.finish({"error": error, "error_description": description})


class Discovery(Base):
    def get(self) -> None:
        self.finish(self.provider.discovery())


class Keys(Base):
    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"keys": [self.provider.key.export_public(as_dict=True)]}))


class Authorize(Base):
    def get(self) -> None:
        p = self.provider
        redirect_uri = self.get_argument("redirect_uri")
        if self.get_argument("client_id") != p.client_id:
            raise web.HTTPError(400, "unknown client")
        if p.redirect_uris and redirect_uri not in p.redirect_uris:
            raise web.HTTPError(400, f"redirect_uri {redirect_uri} is not registered")
        if (
            self.get_argument("response_type") != "code"
            or "openid" not in self.get_argument("scope", "").split()
        ):
            raise web.HTTPError(400, "an OpenID Connect code flow is expected")
        code = secrets.token_urlsafe(16)
        p.codes[code] = {
            "person": dict(p.person),
            "redirect_uri": redirect_uri,
            "challenge": self.get_argument("code_challenge", None),
        }
        query = {"code": code, "state": self.get_argument("state")}
        self.redirect(f"{redirect_uri}?{urlencode(query)}")


class Token(Base):
    def post(self) -> None:
        p = self.provider
        auth = self.request.headers.get("Authorization", "")
        expected = base64.b64encode(f"{p.client_id}:{p.client_secret}".encode()).decode()
        if auth != f"Basic {expected}":
            return self.fail(401, "invalid_client", "client authentication failed")
        grant = p.codes.pop(self.get_argument("code", ""), None)  # a code serves once
        if grant is None or self.get_argument("redirect_uri", "") != grant["redirect_uri"]:
            return self.fail(400, "invalid_grant", "unknown or used code")
        if grant["challenge"]:
            verifier = self.get_argument("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).decode().rstrip("=") != grant["challenge"]:
                return self.fail(400, "invalid_grant", "PKCE verifier does not match")
        access = secrets.token_urlsafe(24)
        p.tokens[access] = grant["person"]
        self.finish(
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "openid profile email",
                "id_token": p.id_token(
                    {"sub": grant["person"]["sub"], "email": grant["person"].get("email")}
                ),
            }
        )


class UserInfo(Base):
    def get(self) -> None:
        token = self.request.headers.get("Authorization", "").removeprefix("Bearer ")
        person = self.provider.tokens.get(token)
        if person is None:
            raise web.HTTPError(401)
        self.finish(person)
