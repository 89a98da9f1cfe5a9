"""The hub's side of an LTI 1.3 launch: the service verified the platform's id_token and hands
the browser a ticket signed with the tool's key; ``/hub/lti13/enter`` checks it against the
tool's public key set and logs the user into the hub (a hub cookie), then sends them on.

The ticket comes by a form POST from the service's page, possibly inside an LMS iframe: this
handler takes no _xsrf (the signed, short-lived ticket is the proof). A ticket is accepted
twice at most in its two minutes: once in the frame and once more from the page's "open in a
new window" button, for browsers that refuse the hub's cookie inside frames.
"""

from __future__ import annotations

import json
import os
import re
import time
from urllib.parse import urlsplit

from jupyterhub import orm
from jupyterhub.handlers import BaseHandler
from jupyterhub.utils import url_path_join
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException
from tornado import web
from tornado.httpclient import AsyncHTTPClient
from traitlets.config import Config

from nbcampus.course.model import Course
from nbcampus.school.core.api import course_scope
from nbcampus.school.lti.api import (
    INSTRUCTOR,
    TA,
    TICKET_AUDIENCE,
    TICKET_ISSUER,
    load_platforms,
    staff_group,
)

SERVICE = "nbcampus"
MAX_USES = 2

_uses: dict[str, tuple[float, int]] = {}
_keys: dict[str, tuple[float, jwk.JWKSet]] = {}


def lti_staff_roles(courses: dict[str, Course]) -> list[dict]:
    """Roles making members of each course's LTI staff groups its instructors or TAs."""
    roles = []
    for course in courses.values():
        for role, action in ((INSTRUCTOR, "teach"), (TA, "grade")):
            roles.append(
                {
                    "name": f"nbcampus-lti-{role}-{course.id}",
                    "scopes": [course_scope(action, course.id)],
                    "groups": [staff_group(role, course.id)],
                }
            )
    return roles


_LTI_NAME = re.compile(r"^[a-z][a-z0-9]{0,15}-[0-9a-f]{12}$")


def is_lti_username(username: str) -> bool:
    """Whether ``username`` has the form of the accounts made for platforms' users
    (``<prefix>-<12 hex digits>``): nobody signs up under such a name."""
    return bool(_LTI_NAME.match(username))


def frame_ancestors(platforms_file: str) -> str:
    """The origins of the registered platforms (issuer, login URL): the LMS pages that may
    show the hub and JupyterLab in their frames."""
    origins = set()
    for platform in load_platforms(platforms_file):
        for url in (platform.issuer, platform.auth_login_url):
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return " ".join(sorted(origins))


def configure_lti(c: Config) -> None:
    """Let LMS frames show the hub and learners' servers; cookies that cross sites over HTTPS.

    Reads NBCAMPUS_LTI_PLATFORMS (the platforms file) and NBCAMPUS_PUBLIC_URL. Learners'
    servers get the frame origins in NBCAMPUS_FRAME_ANCESTORS (hub_config/singleuser reads it).
    """
    ancestors = frame_ancestors(os.environ.get("NBCAMPUS_LTI_PLATFORMS", ""))
    settings: dict = {}
    if ancestors:
        settings["headers"] = {"Content-Security-Policy": f"frame-ancestors 'self' {ancestors}"}
        c.Spawner.environment = {**c.Spawner.environment, "NBCAMPUS_FRAME_ANCESTORS": ancestors}
    if os.environ.get("NBCAMPUS_PUBLIC_URL", "").startswith("https://"):
        # inside an LMS frame the hub's cookies are third-party: SameSite=None needs Secure
        settings["cookie_options"] = {"samesite": "None", "secure": True}
    if settings:
        c.JupyterHub.tornado_settings = settings


class LtiEnterHandler(BaseHandler):
    """``POST /hub/lti13/enter``: a service ticket becomes a hub login."""

    def check_xsrf_cookie(self):
        """The cross-site form POST carries a signed ticket instead of an _xsrf token."""

    async def tool_keys(self, refresh: bool = False) -> jwk.JWKSet:
        service = self.services.get(SERVICE)
        if service is None or not service.url:
            raise web.HTTPError(503, "the nbcampus service is not configured on this hub")
        url = url_path_join(service.url, service.prefix or "/services/nbcampus/", "lti/jwks.json")
        cached = _keys.get(url)
        if cached and not refresh and time.monotonic() - cached[0] < 300:
            return cached[1]
        response = await AsyncHTTPClient().fetch(url, request_timeout=10)
        keys = jwk.JWKSet.from_json(response.body.decode())
        _keys[url] = (time.monotonic(), keys)
        return keys

    async def claims_of(self, ticket: str) -> dict:
        for refresh in (False, True):
            try:
                token = jwt.JWT(jwt=ticket, key=await self.tool_keys(refresh), algs=["RS256"])
                break
            except JWException as e:
                if refresh:
                    raise web.HTTPError(403, f"the launch ticket does not verify: {e}") from None
            except ValueError:
                raise web.HTTPError(400, "the launch ticket is not a JWT") from None
        claims = json.loads(token.claims)
        now = time.time()
        if claims.get("iss") != TICKET_ISSUER or claims.get("aud") != TICKET_AUDIENCE:
            raise web.HTTPError(403, "the launch ticket is not for this hub")
        if not isinstance(claims.get("exp"), int) or claims["exp"] < now:
            raise web.HTTPError(403, "the launch ticket has expired: launch again from the LMS")
        for jti in [j for j, (exp, _) in _uses.items() if exp < now]:
            del _uses[jti]
        exp, uses = _uses.get(claims["jti"], (claims["exp"], 0))
        if uses >= MAX_USES:
            raise web.HTTPError(403, "the launch ticket was used already: launch again")
        _uses[claims["jti"]] = (exp, uses + 1)
        return claims

    def sync_staff_groups(self, user, course_id: str | None, groups: list[str]) -> None:
        """The user's LMS staff groups of the launch's course become those of the ticket: a
        learner today is no longer the instructor they were last term."""
        if not course_id:
            return
        ours = {staff_group(role, course_id) for role in (INSTRUCTOR, TA)}
        wanted = ours & set(groups)
        for group in list(user.groups):
            if group.name in ours and group.name not in wanted:
                user.groups.remove(group)
        for name in sorted(wanted):
            group = orm.Group.find(self.db, name)
            if group is None:
                group = orm.Group(name=name)
                self.db.add(group)
            if group not in user.groups:
                user.groups.append(group)
        self.db.commit()

    async def post(self) -> None:
        claims = await self.claims_of(self.get_body_argument("ticket", ""))
        username = claims["sub"]
        if not is_lti_username(username):
            raise web.HTTPError(403, "the launch ticket names no LMS account")
        # a native account of the same name is not the platform's user
        if getattr(self.authenticator, "user_exists", lambda _: False)(username):
            raise web.HTTPError(403, f"{username} is a native account of this hub")
        user = await self.auth_to_user({"name": username})
        self.sync_staff_groups(user, claims.get("course"), claims.get("groups", []))
        self.set_login_cookie(user)
        target = str(claims.get("next") or "/hub/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/hub/"
        self.redirect(url_path_join(self.base_url, target.lstrip("/")))


HANDLERS = [(r"/lti13/enter", LtiEnterHandler)]
