"""My profile: the name shown for me (certificates, badges, discussions, reports), my language
and time zone, and my address's state (its change and confirmation are the notifications'
address flow: ``PATCH /api/me/preferences`` and ``/api/me/email/confirm``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from nbcampus.school.notifications import api as notifications
from nbcampus.school.profiles import api as profiles
from nbcampus.service.api.notifications import MyNotificationsAPIHandler
from nbcampus.service.endpoints import accepts, answers, signed_in
from nbcampus.service.schemas import profiles as schemas


def my_profile(session: Session, username: str, api_url: str) -> dict[str, Any]:
    """The profile with the state of the address (one read)."""
    mail = notifications.preferences_view(session, username)
    return {
        **profiles.profile_view(session, username),
        "email": {
            "address": mail["email"],
            "source": mail["email_source"],
            "verified": mail["email_verified"],
            "change_url": f"{api_url}me/preferences",
            "confirm_url": f"{api_url}me/email/confirm",
        },
    }


def change_profile(
    session: Session, username: str, changes: dict[str, Any], api_url: str
) -> dict[str, Any]:
    profiles.update_profile(session, username, changes)
    return my_profile(session, username, api_url)


class ProfileHandler(MyNotificationsAPIHandler):
    @property
    def api_url(self) -> str:
        return f"{self.campus.base_url}api/"

    @signed_in
    @answers(200, schemas.PROFILE)
    async def get(self) -> None:
        """My profile: display name (and the name shown), language, time zone, address state."""
        await self.note_hub_address()
        self.write_json(await self.in_db(my_profile, self.username, self.api_url))

    @signed_in
    @accepts(schemas.PROFILE_CHANGE)
    @answers(200, schemas.PROFILE)
    @answers(422, None, description="a field is invalid: the message names it and why")
    async def patch(self) -> None:
        """Change my display name, language or time zone (all the changes, or none).
        Certificates already issued keep the name they were issued with."""
        self.write_json(
            await self.in_db(change_profile, self.username, dict(self.body), self.api_url)
        )


default_handlers = [
    ("/api/me/profile", ProfileHandler),
]
