"""Notifications: my list and read marks, my preferences, and the one-click unsubscribe of the
school's mails (no login: the signed key in the address says what to turn off)."""

from __future__ import annotations

from tornado import web
from tornado.escape import url_escape, xhtml_escape

from nbcampus.school.core.api import CampusError, utcnow
from nbcampus.school.notifications import api as notifications
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import accepts, answers, public, query, signed_in
from nbcampus.service.pages.html import CSP
from nbcampus.service.schemas import notifications as schemas

FLAG = {"enum": ["true", "false"]}
KEY = ("the signed key from the mail's unsubscribe link", {"type": "string", "maxLength": 4000})
ADDRESS_KEY = (
    "the signed key from the address confirmation mail",
    {"type": "string", "maxLength": 4000},
)


#: the hub addresses this process has recorded (a write only when one is new or changed)
_RECORDED: dict[str, str] = {}


class MyNotificationsAPIHandler(APIHandler):
    async def note_hub_address(self) -> None:
        """The address the hub's authenticator gives (when it gives one) is the learner's."""
        email = self.hub_email
        if not email or _RECORDED.get(self.username) == str(email):
            return

        def record(session):
            notifications.record_hub_address(session, self.username, str(email))

        await self.campus.run(self.campus.in_session, record)
        _RECORDED[self.username] = str(email)


def one_button_page(
    handler: web.RequestHandler, question: str, action: str, label: str, hidden: str = ""
) -> None:
    """The page a mail's link opens: one question, one button that posts to ``action`` (opening
    a link changes nothing: mail scanners open links)."""
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.set_header("Content-Security-Policy", CSP + "; form-action 'self'")
    handler.finish(
        f"<!doctype html><title>{xhtml_escape(question)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<h1>{xhtml_escape(question)}</h1>"
        f'<form method="post" action="{xhtml_escape(action)}">{hidden}'
        f"<button>{xhtml_escape(label)}</button></form>"
    )


def save_preferences(session, composer, username: str, body: dict) -> tuple[dict, bool]:
    """The learner's preference changes; a new address of their own gets its confirmation
    mail (the profile page's address form runs this too). The preferences afterwards, and
    whether a confirmation mail was queued."""
    view = notifications.update_preferences(session, username, body)
    asked = "email" in body and notifications.ask_to_confirm(session, composer, username, utcnow())
    return view, asked


class NotificationsHandler(MyNotificationsAPIHandler):
    @signed_in
    @query(
        limit=("at most this many (default 20)", {"type": "integer", "minimum": 1, "maximum": 100}),
        offset=("skip this many", {"type": "integer", "minimum": 0}),
        unread=("true: only the unread ones", FLAG),
    )
    @answers(200, schemas.NOTIFICATIONS)
    async def get(self) -> None:
        """My notifications, newest first, with my unread count. Titles and bodies are plain
        text (show them as text); links are paths in the school."""
        await self.note_hub_address()
        listing = await self.in_db(
            notifications.my_notifications,
            self.username,
            limit=int(self.get_argument("limit", "20")),
            offset=int(self.get_argument("offset", "0")),
            unread_only=self.get_argument("unread", "false") == "true",
            prefix=self.campus.base_url,
        )
        self.write_json(listing)


class ReadHandler(MyNotificationsAPIHandler):
    @signed_in
    @accepts(schemas.READ)
    @answers(200, schemas.UNREAD)
    @answers(404, None, description="an id that is not one of my notifications")
    async def post(self) -> None:
        """Mark some of my notifications read (ids), or all of them (all: true)."""
        ids = self.body.get("ids")
        unread = await self.in_db(
            notifications.mark_read, self.username, ids, bool(self.body.get("all"))
        )
        self.write_json({"unread": unread})


class PreferencesHandler(MyNotificationsAPIHandler):
    @signed_in
    @answers(200, schemas.PREFERENCES)
    async def get(self) -> None:
        """My notification preferences: per course and kind, lab and mail; digest; address."""
        await self.note_hub_address()
        self.write_json(await self.in_db(notifications.preferences_view, self.username))

    @signed_in
    @accepts(schemas.PREFERENCES_CHANGE)
    @answers(200, schemas.PREFERENCES)
    @answers(404, None, description="no such course")
    @answers(409, None, description="the address comes from the hub")
    async def patch(self) -> None:
        """Change my preferences (all the changes, or none)."""
        await self.note_hub_address()
        body = self.body
        composer = notifications.Composer(self.campus.mailer, self.campus.notification_secret)

        view, _ = await self.in_db(save_preferences, composer, self.username, body)
        self.write_json(view)


class UnsubscribeHandler(APIHandler):
    @public
    @query(key=KEY)
    @answers(200, schemas.HTML, media="text/html")
    @answers(400, None, description="the key is not the school's, or altered")
    async def get(self) -> None:
        """A page with one button that unsubscribes (opening a link changes nothing: mail
        scanners open links)."""
        key = self.get_argument("key", "")
        # refuse a bad key now rather than after the click
        self.check_key(key)
        one_button_page(
            self,
            "Stop these mails?",
            f"{self.campus.base_url}api/unsubscribe?key={url_escape(key, plus=False)}",
            "Unsubscribe",
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
        )

    def check_key(self, key: str) -> tuple[str, list[tuple[str, str]]]:
        try:
            return notifications.verify(self.campus.notification_secret, key)
        except CampusError as e:
            raise web.HTTPError(e.status, e.message) from None

    @public
    @query(key=KEY)
    @accepts(schemas.ONE_CLICK, media="application/x-www-form-urlencoded")
    @answers(200, schemas.UNSUBSCRIBED)
    @answers(400, None, description="the key is not the school's, or altered")
    async def post(self) -> None:
        """One-click unsubscribe (RFC 8058): turn off the mails the key names (a kind in a
        course), no login."""
        username, pairs = self.check_key(self.get_argument("key", ""))
        await self.in_db(notifications.turn_off_email, username, pairs)
        self.write_json(
            {
                "username": username,
                "unsubscribed": [{"course_id": c, "kind": k} for c, k in pairs],
            }
        )


class ConfirmAddressHandler(APIHandler):
    @public
    @query(key=ADDRESS_KEY)
    @answers(200, schemas.HTML, media="text/html")
    @answers(400, None, description="the key is not the school's, or altered")
    async def get(self) -> None:
        """A page with one button that confirms the address (opening a link changes nothing:
        mail scanners open links)."""
        key = self.get_argument("key", "")
        self.check_key(key)
        one_button_page(
            self,
            "Is this address yours?",
            f"{self.campus.base_url}api/me/email/confirm?key={url_escape(key, plus=False)}",
            "Yes, confirm it",
        )

    def check_key(self, key: str) -> tuple[str, str]:
        try:
            return notifications.read_address_key(self.campus.notification_secret, key)
        except CampusError as e:
            raise web.HTTPError(e.status, e.message) from None

    @public
    @query(key=ADDRESS_KEY)
    @answers(200, schemas.CONFIRMED)
    @answers(400, None, description="the key is not the school's, or altered")
    @answers(409, None, description="the address is no longer the learner's")
    async def post(self) -> None:
        """Confirm that the address a confirmation mail went to is the learner's (no login:
        the signed key says who and which address)."""
        key = self.get_argument("key", "")
        self.check_key(key)
        secret = self.campus.notification_secret
        self.write_json(await self.in_db(notifications.confirm_address, secret, key, utcnow()))


default_handlers = [
    ("/api/me/notifications", NotificationsHandler),
    ("/api/me/notifications/read", ReadHandler),
    ("/api/me/preferences", PreferencesHandler),
    ("/api/unsubscribe", UnsubscribeHandler),
    ("/api/me/email/confirm", ConfirmAddressHandler),
]
