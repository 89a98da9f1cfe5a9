"""The hub's pages for single sign-on beside native accounts (docs/sso.md): the login page
with a "Sign in with <provider>" button (and without the password form when native accounts
are off), and OAuthenticator's login and callback handlers pointed at the SSO authenticator
that CampusAuthenticator holds."""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader
from oauthenticator.oauth2 import OAuthCallbackHandler, OAuthLoginHandler
from tornado import web
from tornado.escape import url_escape
from tornado.httputil import url_concat

from nbcampus.hub.login import CampusLoginHandler

TEMPLATES = str(Path(__file__).parent / "templates")
#: what a password login is told when the school has turned native accounts off
NATIVE_OFF = "This school signs you in with {provider} only: use the button below."


def _add_templates(handler: web.RequestHandler) -> None:
    env = handler.settings["jinja2_env"]
    if not getattr(env, "_nbcampus_templates", False):
        env.loader = ChoiceLoader([FileSystemLoader([TEMPLATES]), env.loader])
        env._nbcampus_templates = True


class SSOLoginHandler(OAuthLoginHandler):
    """``/hub/oauth_login``: to the provider's authorization endpoint (found by discovery)."""

    @property
    def authenticator(self):
        return self.settings["authenticator"].sso

    async def get(self) -> None:
        await self.authenticator.discover()
        super().get()


class SSOCallbackHandler(OAuthCallbackHandler):
    """``/hub/oauth_callback``: the provider's code becomes a hub login (state checked)."""

    @property
    def authenticator(self):
        return self.settings["authenticator"].sso

    async def get(self) -> None:
        await self.authenticator.discover()
        await super().get()


class CampusSSOLoginPage(CampusLoginHandler):
    """The login page: the native form and the SSO button; a password login is refused when
    native accounts are off."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _add_templates(self)

    def _render(self, login_error=None, username=None, sync=False, **kwargs):
        auth = self.authenticator
        sso = auth.sso
        sso_url = None
        if sso is not None:
            sso_url = url_concat(
                auth.sso_login_url(self.hub.base_url), {"next": self.get_argument("next", "")}
            )
        return self.render_template(
            "campus-login.html",
            sync=sync,
            next=url_escape(self.get_argument("next", default="")),
            username=username,
            login_error=login_error,
            custom_html=auth.custom_html,
            login_url=self.settings["login_url"],
            enable_signup=auth.enable_signup,
            two_factor_auth=auth.allow_2fa,
            authenticator_login_url=self.settings["login_url"],
            native_login=auth.native_login,
            sso_url=sso_url,
            sso_provider=sso.login_service if sso is not None else "",
        )

    async def post(self) -> None:
        auth = self.authenticator
        if not auth.native_login:
            provider = auth.sso.login_service if auth.sso is not None else "single sign-on"
            self.set_status(403)
            self.finish(await self._render(login_error=NATIVE_OFF.format(provider=provider)))
            return
        await super().post()
