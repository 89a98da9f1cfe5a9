"""A learner's profile: what they chose to be called, their language and time zone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow


class Profile(Base):
    """One learner's choices; a learner without a row is shown by their username, in the
    browser's language, at UTC."""

    __tablename__ = "profiles"

    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: the name shown on certificates, badges, discussions and reports (None: the username)
    display_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: en | fr (None: the browser's)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    #: an IANA time zone name, e.g. Europe/Paris (None: UTC)
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
