"""Rewards keep one thing: who chose to appear on their cohort's leaderboard. Points and
streaks are worked out from the school's records each time (nothing to drift)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow


class LeaderboardChoice(Base):
    """A learner's choice for one course's leaderboard (no row: not on it)."""

    __tablename__ = "leaderboard_choices"
    __table_args__ = (UniqueConstraint("course_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(255))
    opted_in: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
