"""LTI 1.3 tool endpoints of the service: the JWKS, the configuration page, the OIDC login
initiation, the launch, the course link and deep linking pages.

These pages answer platforms and browsers coming from an LMS (often inside its iframe, by a
cross-site form POST): they take no hub login and no _xsrf (the platform's signed id_token,
the once-only state and the launch ids are the proof), may be framed, and run no script but
the one-line form submission carrying a nonce in the Content-Security-Policy.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from functools import partial
from urllib.parse import quote

from tornado import web

from nbcampus.school.core.api import CampusError
from nbcampus.school.lti import api as lti
from nbcampus.school.lti.api import LaunchRefused
from nbcampus.service.pages import lti_html as html


def _csp(nonce: str = "") -> str:
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    return f"default-src 'none'; style-src 'unsafe-inline'; script-src {script}; form-action *"


class LtiPage(web.RequestHandler):
    """Base of the LTI pages: errors are a clear HTML page; database work off the loop."""

    def check_xsrf_cookie(self) -> None:
        """Platforms POST across sites: the signed launch is the proof, not an _xsrf cookie."""

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    @property
    def campus(self):
        return self.settings["campus"]

    @property
    def lti(self) -> lti.LtiSettings:
        return self.campus.lti

    async def in_db(self, fn, *args):
        def work():
            with self.campus.db.session() as session:
                return fn(session, *args)

        try:
            return await asyncio.get_running_loop().run_in_executor(
                self.campus.executor, partial(work)
            )
        except CampusError as e:
            raise web.HTTPError(e.status, e.message) from None

    async def off_loop(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(
            self.campus.executor, partial(fn, *args)
        )

    def finish_page(self, text: str, nonce: str = "") -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", _csp(nonce))
        self.finish(text)

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = exc.get_message() if isinstance(exc, web.HTTPError) else None
        if not message:
            message = "the school could not complete this launch; its log has the details"
        self.finish_page(html.refused(message))

    def platforms(self) -> list[lti.Platform]:
        try:
            return self.lti.platforms()
        except lti.PlatformSettingsError as e:
            raise web.HTTPError(500, e.message) from None


class JwksPage(LtiPage):
    """``GET /lti/jwks.json``: the tool's public key set."""

    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(lti.public_jwks(self.campus.lti_key)))


class ConfigurationPage(LtiPage):
    """``GET /lti/config``: the URLs an LMS admin pastes in, and the public key set."""

    def get(self) -> None:
        urls = {
            "Login initiation URL (OIDC)": self.lti.url("lti/login"),
            "Redirect / launch URL": self.lti.url("lti/launch"),
            "Deep linking URL": self.lti.url("lti/launch"),
            "Public keyset (JWKS) URL": self.lti.url("lti/jwks.json"),
            "Target link URI": self.lti.url("lti/launch"),
        }
        jwks = json.dumps(lti.public_jwks(self.campus.lti_key), indent=1)
        self.finish_page(html.configuration(urls, jwks))


class LoginPage(LtiPage):
    """``GET|POST /lti/login``: OIDC third-party login initiation from a platform."""

    async def get(self) -> None:
        await self.initiate()

    async def post(self) -> None:
        await self.initiate()

    async def initiate(self) -> None:
        issuer = self.get_argument("iss", "")
        client_id = self.get_argument("client_id", None)
        platform = lti.find_platform(self.platforms(), issuer, client_id)
        if platform is None:
            raise web.HTTPError(403, f"platform {issuer!r} is not registered with this school")
        params = {
            k: self.get_argument(k, "")
            for k in ("login_hint", "lti_message_hint", "target_link_uri")
        }
        target = params["target_link_uri"]
        if target and not target.startswith(self.lti.url("lti/")):
            raise web.HTTPError(400, f"the target link {target!r} is not one of this tool's")
        url = await self.in_db(lti.begin_login, platform, self.lti.url("lti/launch"), params)
        self.redirect(url)


class LaunchPage(LtiPage):
    """``POST /lti/launch``: the platform's id_token (form_post), verified, then the learner
    enrolled and sent to the hub, or an instructor asked to link the course or pick an item."""

    async def post(self) -> None:
        id_token = self.get_argument("id_token", "")
        state = self.get_argument("state", "")
        if not id_token:
            raise web.HTTPError(400, "the launch carries no id_token")
        login = await self.in_db(lti.take_login, state)
        platform = lti.find_platform(self.platforms(), login.issuer, login.client_id)
        if platform is None or lti.unverified_issuer(id_token) != platform.issuer:
            raise web.HTTPError(401, "the id_token comes from another platform than its login")
        try:
            keys = await self.off_loop(
                self.campus.lti_client.keys, platform, lti.key_id_of(id_token)
            )
        except lti.PlatformError as e:
            raise web.HTTPError(502, f"the platform's key set could not be read: {e}") from None
        try:
            launch = lti.verify_id_token(id_token, platform, keys, login, self.lti.leeway_seconds)
        except LaunchRefused as e:
            raise web.HTTPError(e.status, e.message) from None
        await self.proceed(launch)

    async def proceed(self, launch: lti.Launch) -> None:
        await self.answer(await self.in_db(lti.arrive, launch))

    async def answer(self, arrival: lti.Arrival) -> None:
        if arrival.step == lti.LINK:
            page = html.link_picker(self.lti.url("lti/link"), arrival.launch_id, arrival.courses)
            self.finish_page(page)
        elif arrival.step == lti.DEEP_LINK:
            self.finish_page(
                html.deep_link_picker(
                    self.lti.url("lti/deep-link"),
                    arrival.launch_id,
                    arrival.course_id,
                    list(arrival.items),
                )
            )
        else:
            ticket = lti.hub_ticket(
                self.campus.lti_key,
                arrival.username,
                arrival.course_id,
                list(arrival.groups),
                landing(arrival.course_id, arrival.target),
            )
            hub = os.environ.get("JUPYTERHUB_BASE_URL", "/").rstrip("/") + "/hub/lti13/enter"
            nonce = secrets.token_urlsafe(12)
            self.finish_page(html.enter(hub, ticket, arrival.title, nonce), nonce)


def landing(course_id: str, target: dict[str, str]) -> str:
    """Where a launch lands on the hub: the linked item in the learner's JupyterLab (lessons
    and exercises open as files of their workspace), else JupyterLab with the course."""
    course = target.get("course", course_id)
    kind, item = target.get("kind"), target.get("item", "")
    if course != course_id:  # a link copied to another LMS course opens that one's course
        kind, course = None, course_id
    if kind == "lesson":
        return f"/hub/user-redirect/lab/tree/{quote(course)}/{quote(item)}"
    if kind == "exercise":
        return f"/hub/user-redirect/nbcampus/open/{quote(course)}/{quote(item)}"
    return f"/hub/user-redirect/lab?nbcampus-course={quote(course)}"


class LinkPage(LaunchPage):
    """``POST /lti/link``: the instructor links the LMS course to a course and cohort."""

    async def post(self) -> None:
        arrival = await self.in_db(
            lti.arrive_linked,
            self.get_argument("launch", ""),
            self.platforms(),
            self.get_argument("course", ""),
            self.get_argument("cohort", "") or None,
        )
        await self.answer(arrival)


class DeepLinkPage(LtiPage):
    """``POST /lti/deep-link``: the picked item goes back to the platform as a resource link."""

    async def post(self) -> None:
        course_id = self.get_argument("course", "")
        kind, _, item = self.get_argument("choice", "").partition(":")
        launch, choice = await self.in_db(
            lti.picked, self.get_argument("launch", ""), self.platforms(), course_id, kind, item
        )
        token = lti.deep_link_response(
            self.campus.lti_key, launch, course_id, choice, self.lti.url("lti/launch")
        )
        nonce = secrets.token_urlsafe(12)
        url = launch.deep_linking["deep_link_return_url"]
        self.finish_page(html.deep_link_return(url, token, nonce), nonce)


#: (path template, handler) of the LTI pages, added to the service's PAGES
LTI_PAGES = [
    ("/lti/jwks.json", JwksPage),
    ("/lti/config", ConfigurationPage),
    ("/lti/login", LoginPage),
    ("/lti/launch", LaunchPage),
    ("/lti/link", LinkPage),
    ("/lti/deep-link", DeepLinkPage),
]
