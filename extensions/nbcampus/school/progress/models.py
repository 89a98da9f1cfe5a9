"""Learning activity reported by the learner's workspace: what was opened, for how long, how often.

No keystrokes and no content: a notebook path, a kind of event and a duration.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow

#: kinds of events: a session began (a connection), a notebook was opened, active time on a
#: notebook (``seconds``), cells executed (``count``), parts of a video lesson played
#: (``segments``)
ACTIVITY_KINDS = ("connect", "open", "active", "execute", "watch")


class ActivityEvent(Base):
    __tablename__ = "activity_events"
    __table_args__ = (
        Index("ix_activity_course_user", "course_id", "username", "at"),
        Index("ix_activity_course_at", "course_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[str] = mapped_column(String(64))
    #: the course module the notebook belongs to, when known
    module_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    notebook: Mapped[str | None] = mapped_column(String(500), nullable=True)
    seconds: Mapped[int] = mapped_column(Integer, default=0)
    count: Mapped[int] = mapped_column(Integer, default=0)
    #: the server's clock on receipt
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VideoWatch(Base):
    """What one learner played of one video lesson: the union of the played segments."""

    __tablename__ = "video_watches"
    __table_args__ = (UniqueConstraint("course_id", "username", "lesson", name="uq_video_watch"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[str] = mapped_column(String(64))
    #: the lesson's file in the course folder
    lesson: Mapped[str] = mapped_column(String(500))
    #: JSON list of disjoint [start, end] seconds, in order
    segments: Mapped[str] = mapped_column(Text, default="[]")
    #: seconds of the video played at least once
    watched: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
