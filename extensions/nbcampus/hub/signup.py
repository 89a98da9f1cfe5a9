"""NativeAuthenticator's sign-up page, made fit for an open course.

Three changes to nativeauthenticator 1.3's page: a password that contains the username is
refused with that reason; a refused form keeps the username the learner typed (the stock
template writes it to a ``val`` attribute, which browsers ignore); and a learner whose account
is created is signed in at once and sent on, instead of being asked to log in again.
"""

from __future__ import annotations

from nativeauthenticator.handlers import SignUpHandler
from tornado.escape import xhtml_escape

from nbcampus.hub.reserved import is_reserved_username

#: what a refused password is told, when it holds the username
CONTAINS_USERNAME = "Your password must not contain your username: choose another one."
#: what a reserved name (admin, root, a service's name, a look-alike) is told
RESERVED = "This username is reserved: choose another one."


def password_problem(username: str, password: str) -> str | None:
    """Why ``password`` is refused for ``username`` beyond the authenticator's own rules."""
    if username and username.strip().lower() in password.lower():
        return CONTAINS_USERNAME
    return None


class CampusSignUpHandler(SignUpHandler):
    """The native sign-up form: refuse a password holding the username, keep the username on
    a refusal, sign the new learner in."""

    async def post(self) -> None:
        auth = self.authenticator
        if not auth.enable_signup or auth.recaptcha_key or auth.allow_2fa:
            return await super().post()  # the stock flow (no sign-in at once)
        username = self.get_body_argument("username", "", strip=False)
        password = self.get_body_argument("signup_password", "", strip=False)
        confirmation = self.get_body_argument("signup_password_confirmation", "", strip=False)
        self._typed_username = username
        if is_reserved_username(auth.normalize_username(username), auth.reserved_usernames):
            self.log.warning("Sign-up refused: %r is a reserved name", username)
            return await self._refuse(RESERVED)
        problem = password_problem(username, password)
        if problem is not None:
            return await self._refuse(problem)
        taken = auth.user_exists(username)
        matches = password == confirmation
        user = None
        if not taken and matches:
            email = self.get_body_argument("email", "", strip=False)
            user = auth.create_user(
                username=username, password=password, email=email, has_2fa=False
            )
        alert, message = self.get_result_message(
            user, True, taken, matches, username in auth.admin_users
        )
        if alert == "alert-success" and user is not None and user.is_authorized:
            return await self._sign_in(user.username)
        await self._refuse(message, alert)

    def render_template(self, name: str, sync: bool = False, **kwargs):
        page = super().render_template(name, sync=sync, **kwargs)
        if name != "signup.html" or sync:
            return page

        async def with_username() -> str:
            html = await page
            typed = getattr(self, "_typed_username", "")
            if not typed:
                return html
            # the stock template leaves the field empty: give back what the learner typed
            return html.replace(
                'name="username" val=""', f'name="username" value="{xhtml_escape(typed)}"'
            )

        return with_username()

    async def _sign_in(self, username: str) -> None:
        user = await self.auth_to_user({"name": username})
        self.set_login_cookie(user)
        self.redirect(self.get_next_url(user))

    async def _refuse(self, message: str, alert: str = "alert-danger") -> None:
        html = await self.render_template(
            "signup.html",
            ask_email=self.authenticator.ask_email_on_signup,
            result_message=message,
            alert=alert,
            two_factor_auth=self.authenticator.allow_2fa,
            two_factor_auth_user=False,
            two_factor_auth_value="",
            recaptcha_key=self.authenticator.recaptcha_key,
            tos=self.authenticator.tos,
        )
        self.finish(html)
