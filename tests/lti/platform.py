"""An LTI 1.3 platform for the tests (no LMS here, so a real small one): its own RSA key and
JWKS, the OIDC authorisation endpoint answering a tool's login initiation with a signed
id_token (form_post), a token endpoint (client credentials with a signed JWT assertion checked
against the tool's JWKS), AGS line items and scores and an NRPS roster that record what the
tool sends, and a course page that launches the tool inside an iframe.

Runs on its own event loop thread (``serving``); tests drive it with ``requests``.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from jwcrypto import jwk, jwt
from tornado import web
from tornado.httpclient import AsyncHTTPClient

from nbcampus.testing import free_port

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


@dataclass
class PendingLaunch:
    """What the platform will put in the id_token of one launch (and how to spoil it)."""

    user: str
    roles: list[str]
    context_id: str
    message_type: str = "LtiResourceLinkRequest"
    custom: dict[str, str] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)  # overrides, None deletes
    sign_with: jwk.JWK | None = None  # a forger's key (same kid)


class Platform:
    """The emulated LMS and what it recorded."""

    def __init__(self, issuer: str, client_id: str = "nbcampus-tool", deployment_id: str = "dep-1"):
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.key = jwk.JWK.generate(
            kty="RSA", size=2048, kid="platform-key-1", alg="RS256", use="sig"
        )
        self.tool_jwks_url = ""  # set by the test once the tool runs
        self.pending: dict[str, PendingLaunch] = {}
        self.line_items: dict[str, dict[str, Any]] = {}
        self.scores: list[dict[str, Any]] = []
        self.token_requests: list[dict[str, Any]] = []
        self.deep_link_responses: list[dict[str, Any]] = []
        self.members: dict[str, list[dict[str, Any]]] = {}
        self.tokens: dict[str, str] = {}  # access token -> scopes
        self.last_id_token = ""
        self.failures = 0  # the next score posts answered 503 (a platform briefly down)

    # what the tool's admin registers
    def settings(self, **extra: Any) -> dict[str, Any]:
        return {
            "name": "Emulated LMS",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_ids": [self.deployment_id],
            "auth_login_url": f"{self.issuer}/auth",
            "auth_token_url": f"{self.issuer}/token",
            "key_set_url": f"{self.issuer}/jwks",
            **extra,
        }

    def login_url(self, tool_login: str, launch: PendingLaunch) -> str:
        """The login initiation URL the LMS sends the browser to (its third-party login)."""
        hint = secrets.token_urlsafe(8)
        self.pending[hint] = launch
        return (
            tool_login
            + "?"
            + urlencode(
                {
                    "iss": self.issuer,
                    "login_hint": launch.user,
                    "lti_message_hint": hint,
                    "target_link_uri": tool_login.replace("/login", "/launch"),
                    "client_id": self.client_id,
                    "lti_deployment_id": self.deployment_id,
                }
            )
        )

    def id_token(self, launch: PendingLaunch, nonce: str, tool_url: str) -> str:
        now = int(time.time())
        context = launch.context_id
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": launch.user,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": f"User {launch.user}",
            "email": f"{launch.user}@uni.example",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "message_type": launch.message_type,
            CLAIM + "version": "1.3.0",
            CLAIM + "roles": launch.roles,
            CLAIM + "target_link_uri": tool_url,
            CLAIM + "context": {"id": context, "title": f"LMS course {context}"},
            CLAIM + "custom": launch.custom,
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitems": f"{self.issuer}/contexts/{context}/lineitems",
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.issuer}/contexts/{context}/memberships",
                "service_versions": ["2.0"],
            },
        }
        if launch.message_type == "LtiResourceLinkRequest":
            claims[CLAIM + "resource_link"] = {"id": f"link-{secrets.token_hex(4)}"}
        else:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.issuer}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "data": "opaque-platform-data",
            }
        for key, value in launch.claims.items():
            if value is None:
                claims.pop(key, None)
            else:
                claims[key] = value
        token = jwt.JWT(header={"alg": "RS256", "kid": "platform-key-1"}, claims=claims)
        token.make_signed_token(launch.sign_with or self.key)
        return token.serialize()

    def line_items_of(self, context_id: str) -> list[dict[str, Any]]:
        return [li for li in self.line_items.values() if li["context"] == context_id]

    def make_app(self) -> web.Application:
        return web.Application(
            [
                (r"/jwks", JwksHandler),
                (r"/auth", AuthHandler),
                (r"/token", TokenHandler),
                (r"/contexts/([^/]+)/lineitems", LineItemsHandler),
                (r"/lineitems/([^/]+)/scores", ScoresHandler),
                (r"/contexts/([^/]+)/memberships", MembershipsHandler),
                (r"/deep-link-return", DeepLinkReturnHandler),
                (r"/course", CoursePageHandler),
            ],
            platform=self,
        )


class _Handler(web.RequestHandler):
    @property
    def platform(self) -> Platform:
        return self.settings["platform"]

    def check_xsrf_cookie(self) -> None:
        pass

    async def tool_keys(self) -> jwk.JWKSet:
        response = await AsyncHTTPClient().fetch(self.platform.tool_jwks_url, request_timeout=10)
        return jwk.JWKSet.from_json(response.body.decode())

    def bearer(self, scope: str) -> None:
        token = self.request.headers.get("Authorization", "").removeprefix("Bearer ")
        if scope not in self.platform.tokens.get(token, "").split():
            raise web.HTTPError(401, f"token lacks {scope}")


class JwksHandler(_Handler):
    def get(self) -> None:
        self.finish({"keys": [self.platform.key.export_public(as_dict=True)]})


class AuthHandler(_Handler):
    """The OIDC authorisation endpoint: answers with a form posting the id_token to the tool."""

    def get(self) -> None:
        p = self.platform
        launch = p.pending.get(self.get_argument("lti_message_hint", ""))
        if launch is None or self.get_argument("client_id") != p.client_id:
            raise web.HTTPError(400, "unknown launch")
        if (
            self.get_argument("response_mode") != "form_post"
            or self.get_argument("scope") != "openid"
        ):
            raise web.HTTPError(400, "not an LTI OIDC authorisation request")
        redirect = self.get_argument("redirect_uri")
        token = p.id_token(launch, self.get_argument("nonce"), redirect)
        p.last_id_token = token
        self.finish(
            "<!doctype html><form id=f method=post action='{}'>"
            "<input type=hidden name=id_token value='{}'><input type=hidden name=state value='{}'>"
            "</form><script>document.getElementById('f').submit()</script>".format(
                html.escape(redirect), token, html.escape(self.get_argument("state"))
            )
        )


class TokenHandler(_Handler):
    """Client credentials with a JWT assertion signed by the tool (checked with its JWKS)."""

    async def post(self) -> None:
        p = self.platform
        form = {
            k: self.get_body_argument(k, "")
            for k in ("grant_type", "client_assertion_type", "client_assertion", "scope")
        }
        p.token_requests.append(form)
        if form["grant_type"] != "client_credentials":
            raise web.HTTPError(400, "grant_type")
        keys = await self.tool_keys()
        try:
            assertion = jwt.JWT(jwt=form["client_assertion"], key=keys, algs=["RS256"])
        except Exception as e:
            raise web.HTTPError(401, f"bad assertion: {e}") from None
        claims = json.loads(assertion.claims)
        if (
            claims["iss"] != p.client_id
            or claims["sub"] != p.client_id
            or claims["aud"] != f"{p.issuer}/token"
        ):
            raise web.HTTPError(401, "assertion claims")
        token = secrets.token_urlsafe(16)
        p.tokens[token] = form["scope"]
        self.finish(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": form["scope"],
            }
        )


class LineItemsHandler(_Handler):
    def get(self, context: str) -> None:
        self.bearer("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem")
        wanted = self.get_argument("resource_id", None)
        items = [
            {k: v for k, v in li.items() if k != "context"}
            for li in self.platform.line_items_of(context)
            if wanted is None or li["resourceId"] == wanted
        ]
        self.set_header("Content-Type", "application/vnd.ims.lis.v2.lineitemcontainer+json")
        self.finish(json.dumps(items))

    def post(self, context: str) -> None:
        self.bearer("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem")
        body = json.loads(self.request.body)
        number = str(len(self.platform.line_items) + 1)
        item = {**body, "id": f"{self.platform.issuer}/lineitems/{number}", "context": context}
        self.platform.line_items[number] = item
        self.set_status(201)
        self.finish({k: v for k, v in item.items() if k != "context"})


class ScoresHandler(_Handler):
    def post(self, number: str) -> None:
        self.bearer("https://purl.imsglobal.org/spec/lti-ags/scope/score")
        if number not in self.platform.line_items:
            raise web.HTTPError(404)
        if self.platform.failures > 0:
            self.platform.failures -= 1
            raise web.HTTPError(503, "platform busy")
        if self.request.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
            raise web.HTTPError(415)
        self.platform.scores.append({"line_item": number, **json.loads(self.request.body)})
        self.set_status(200)
        self.finish()


class MembershipsHandler(_Handler):
    def get(self, context: str) -> None:
        self.bearer("https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly")
        self.set_header("Content-Type", "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
        self.finish(
            {
                "id": self.request.full_url(),
                "context": {"id": context},
                "members": self.platform.members.get(context, []),
            }
        )


class DeepLinkReturnHandler(_Handler):
    """Where the tool posts the instructor's pick: the signed response is checked and kept."""

    async def post(self) -> None:
        p = self.platform
        keys = await self.tool_keys()
        token = jwt.JWT(jwt=self.get_body_argument("JWT"), key=keys, algs=["RS256"])
        claims = json.loads(token.claims)
        assert claims["iss"] == p.client_id and claims["aud"] == [p.issuer]
        p.deep_link_responses.append(claims)
        self.finish("<!doctype html><p id=done>Item added to the LMS course.</p>")


class CoursePageHandler(_Handler):
    """The LMS course page: the tool opens inside an iframe (third-party login initiation)."""

    def get(self) -> None:
        src = self.get_argument("src")
        self.finish(
            "<!doctype html><h1>LMS course</h1>"
            f"<iframe id=tool name=tool src='{html.escape(src)}' width=1100 height=700 "
            "allow='clipboard-write'></iframe>"
        )


class Loop:
    """An event loop on its own thread serving Tornado apps on 127.0.0.1."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.servers = []

    def serve(self, app: web.Application, port: int | None = None) -> int:
        port = port or free_port()

        async def listen():
            self.servers.append(app.listen(port, "127.0.0.1"))

        asyncio.run_coroutine_threadsafe(listen(), self.loop).result(10)
        return port

    def stop(self) -> None:
        async def close():
            for server in self.servers:
                server.stop()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@contextmanager
def serving_platform(port: int | None = None):
    """A running platform: yields it (its URL is its issuer)."""
    loop = Loop()
    port = port or free_port()
    platform = Platform(f"http://127.0.0.1:{port}")
    loop.serve(platform.make_app(), port)
    try:
        yield platform, loop
    finally:
        loop.stop()


_FORM = re.compile(r"<form[^>]*action='([^']*)'[^>]*>(.*?)</form>", re.S)
_INPUT = re.compile(r"<input type=hidden name='?([^ '>]+)'? value='([^']*)'>")


def forms(page: str) -> list[tuple[str, dict[str, str]]]:
    """(action, hidden fields) of each form of a page, as a browser would submit them."""
    return [
        (html.unescape(action), {k: html.unescape(v) for k, v in _INPUT.findall(body)})
        for action, body in _FORM.findall(page)
    ]


def launch(
    session: requests.Session, platform: Platform, tool_login: str, pending: PendingLaunch
) -> requests.Response:
    """A browser's launch: login initiation at the tool, the platform's authorisation, the
    id_token form posted to the tool. Returns the tool's answer to the launch."""
    auth = session.get(platform.login_url(tool_login, pending), timeout=30)
    auth.raise_for_status()
    ((action, fields),) = forms(auth.text)
    return session.post(action, data=fields, timeout=30, allow_redirects=False)
