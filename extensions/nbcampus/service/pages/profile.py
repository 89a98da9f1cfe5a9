"""My profile page: GET /services/nbcampus/profile, for a phone or a browser. The name shown for
me (certificates, badges, discussions, reports), my language and time zone, and my address with
its state; the forms post back here with the hub's ``_xsrf`` (a cross-site form has none: 403).

A thin adapter over the API's functions: the profile form is checked with the API's schema and
written by ``profiles.update_profile``; the address form is the notifications' address flow
(``PATCH /api/me/preferences``: the address, then its confirmation mail). No script runs.
"""

from __future__ import annotations

from typing import Any

from tornado import web
from tornado.escape import xhtml_escape as esc

from nbcampus.school.notifications import api as notifications
from nbcampus.school.profiles.api import LANGUAGES, NAME_MAX
from nbcampus.service.api.notifications import MyNotificationsAPIHandler, save_preferences
from nbcampus.service.api.profiles import change_profile, my_profile
from nbcampus.service.base import PageHandler
from nbcampus.service.pages.discussion_html import CSP, error_box, page
from nbcampus.service.schemas import profiles as schemas
from nbcampus.service.validation import check_body

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
#: a few time zones offered first (any IANA name may be typed)
COMMON_ZONES = (
    "UTC",
    "Europe/Paris",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Montreal",
    "Africa/Dakar",
    "Asia/Tokyo",
)

_STYLE = """<style>form{display:grid;gap:.4rem;max-width:28rem;margin:.6rem 0 1.2rem}
label{font-weight:600;margin-top:.4rem}input,select,button{font:inherit;padding:.55rem;
border:1px solid #888;border-radius:.3rem;width:100%}button{background:#1f4fa0;color:#fff;
border:0;font-weight:600}.hint{font-size:.85rem;color:#555;margin:0}.state{font-weight:600}
.ok{color:#2e7d32}.wait{color:#7a4b00}.notice.done{border-left:.4rem solid #2e7d32;
background:#eef7ee;padding:.4rem .8rem}</style>"""


def _email(data: dict[str, Any], xsrf: str, action: str) -> str:
    mail = data["email"]
    if mail["source"] == "hub":
        state = "<span class='state ok'>verified (given by your hub account)</span>"
    elif mail["address"] and mail["verified"]:
        state = "<span class='state ok'>verified</span>"
    elif mail["address"]:
        state = (
            "<span class='state wait'>waiting for confirmation: open the link mailed to it</span>"
        )
    else:
        state = ""
    shown = (
        f"<span class=address>{esc(mail['address'])}</span> · {state}"
        if mail["address"]
        else "No address yet: the school mails you only at an address you confirmed."
    )
    out = f"<section id=email><h2>E-mail</h2><p>{shown}</p>"
    if mail["source"] != "hub":
        out += (
            f'<form method=post action="{esc(action)}">{xsrf}'
            "<input type=hidden name=form value=email>"
            "<label for=email>Your address</label>"
            f"<input id=email name=email type=email autocomplete=email maxlength=320 "
            f'value="{esc(mail["address"] or "")}">'
            "<p class=hint>We mail a confirmation link to a new address; mail goes to it "
            "once you confirm it.</p><button>Save and send the link</button></form>"
        )
    return out + "</section>"


def profile_page(data: dict[str, Any], *, xsrf: str, action: str, home: str) -> str:
    """The page; every value shown is escaped."""
    language = data["language"] or ""
    options = "".join(
        f'<option value="{esc(code)}"{" selected" if code == language else ""}>{esc(name)}</option>'
        for code, name in [("", "Your browser's language"), *LANGUAGE_NAMES.items()]
        if code == "" or code in LANGUAGES
    )
    zones = "".join(f'<option value="{esc(z)}">' for z in COMMON_ZONES)
    notice = (
        f'<p class="notice done" role="status">{esc(data["notice"])}</p>' if data["notice"] else ""
    )
    body = (
        f'{_STYLE}<nav class=back><a href="{esc(home)}">My courses</a></nav>'
        f"<h1>Your profile</h1>{error_box(data.get('error'))}{notice}"
        f"<p>Shown as <strong class=shown-name>{esc(data['shown_name'])}</strong> on your "
        "certificates, badges, in discussions and in your trainers' reports "
        f"(you sign in as <code>{esc(data['username'])}</code>).</p>"
        f'<section id=profile><form method=post action="{esc(action)}">{xsrf}'
        "<input type=hidden name=form value=profile>"
        "<label for=display_name>Display name</label>"
        f"<input id=display_name name=display_name autocomplete=name maxlength={NAME_MAX} "
        f'value="{esc(data["display_name"] or "")}">'
        f"<p class=hint>At most {NAME_MAX} characters; leave it empty to be shown by your "
        "username. Certificates already issued keep the name they were issued with.</p>"
        f"<label for=language>Language</label><select id=language name=language>{options}</select>"
        "<label for=time_zone>Time zone</label>"
        f'<input id=time_zone name=time_zone list=zones maxlength=64 placeholder="UTC" '
        f'value="{esc(data["time_zone"] or "")}"><datalist id=zones>{zones}</datalist>'
        "<p class=hint>An IANA name such as Europe/Paris; empty for UTC.</p>"
        "<button>Save</button></form></section>"
        f"{_email(data, xsrf, action)}"
    )
    return page("Your profile", body)


class ProfilePage(PageHandler, MyNotificationsAPIHandler):
    """GET /services/nbcampus/profile: my profile; POST saves its profile or address form."""

    async def prepare(self) -> None:
        if self.request.method == "POST" and "Authorization" not in self.request.headers:
            self.check_xsrf_cookie()  # a cross-site form has no token: 403
        await super().prepare()

    @property
    def api_url(self) -> str:
        return f"{self.campus.base_url}api/"

    async def show(self, notice: str | None = None, error: str | None = None) -> None:
        await self.note_hub_address()
        data = await self.in_db(my_profile, self.username, self.api_url)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", CSP)
        self.finish(
            profile_page(
                {**data, "notice": notice, "error": error},
                xsrf=self.xsrf_form_html(),
                action=f"{self.campus.base_url}profile",
                home=self.campus.base_url,
            )
        )

    async def get(self) -> None:
        await self.show()

    def _text(self, name: str) -> str | None:
        value = self.get_body_argument(name, "").strip()
        return value or None

    async def post(self) -> None:
        form = self.get_body_argument("form", "profile")
        try:
            if form == "email":
                notice = await self._save_address()
            else:
                changes = {
                    "display_name": self._text("display_name"),
                    "language": self._text("language"),
                    "time_zone": self._text("time_zone"),
                }
                check_body(changes, schemas.PROFILE_CHANGE)
                await self.in_db(change_profile, self.username, changes, self.api_url)
                notice = "Saved."
        except web.HTTPError as e:
            if e.status_code not in (400, 404, 409, 422):
                raise
            self.set_status(e.status_code)
            await self.show(error=e.get_message())
            return
        await self.show(notice=notice)

    async def _save_address(self) -> str:
        """The notifications' address flow, as ``PATCH /api/me/preferences {email}`` runs it."""
        email = self._text("email")
        composer = notifications.Composer(self.campus.mailer, self.campus.notification_secret)

        _, asked = await self.in_db(save_preferences, composer, self.username, {"email": email})
        if asked:
            return "Saved: open the link we mailed to confirm the address."
        return "Saved."
