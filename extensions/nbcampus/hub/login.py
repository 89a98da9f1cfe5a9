"""NativeAuthenticator's login page, adapted to JupyterHub 6.

nativeauthenticator 1.3 (its latest release) still calls ``self.statsd``, which JupyterHub 6
removed, and its ``_render`` refuses the ``sync`` argument JupyterHub 6 passes when it renders a
login error. Without this adapter every login answers 500.
"""

from __future__ import annotations

from nativeauthenticator.handlers import LoginHandler as NativeLoginHandler
from tornado.escape import url_escape
from tornado.httputil import url_concat


class _NoTimer:
    def start(self) -> _NoTimer:
        return self

    def stop(self, send: bool = True) -> None:
        return None


class _NoStatsd:
    """What JupyterHub < 6 offered as ``handler.statsd``; timings now go to Prometheus."""

    def timer(self, name: str) -> _NoTimer:
        return _NoTimer()


class CampusLoginHandler(NativeLoginHandler):
    """The native login form, working on JupyterHub 5 and 6."""

    statsd = _NoStatsd()

    def _render(self, login_error=None, username=None, sync=False, **kwargs):
        return self.render_template(
            "native-login.html",
            sync=sync,
            next=url_escape(self.get_argument("next", default="")),
            username=username,
            login_error=login_error,
            custom_html=self.authenticator.custom_html,
            login_url=self.settings["login_url"],
            enable_signup=self.authenticator.enable_signup,
            two_factor_auth=self.authenticator.allow_2fa,
            authenticator_login_url=url_concat(
                self.authenticator.login_url(self.hub.base_url),
                {"next": self.get_argument("next", "")},
            ),
        )
