"""What the school keeps of its LTI platforms: logins under way, accounts, linked LMS courses,
their members, line items and every score post."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow

# score post states
QUEUED, SENT, FAILED = "queued", "sent", "failed"


class LtiLogin(Base):
    """One OIDC login initiation: its state and nonce, each accepted once."""

    __tablename__ = "lti_logins"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LtiLaunch(Base):
    """A verified launch kept for the pages that follow it (linking a course, deep linking)."""

    __tablename__ = "lti_launches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    username: Mapped[str] = mapped_column(String(255))
    claims: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiAccount(Base):
    """A platform's user (issuer + subject) and the hub account made for them."""

    __tablename__ = "lti_accounts"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_lti_account"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    username: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiContext(Base):
    """An LMS course (issuer, deployment, context id) linked to an nbcampus course and cohort."""

    __tablename__ = "lti_contexts"
    __table_args__ = (
        UniqueConstraint("issuer", "deployment_id", "context_id", name="uq_lti_context"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    course_id: Mapped[str] = mapped_column(String(64), index=True)
    cohort: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lineitems_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    memberships_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    linked_by: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiMember(Base):
    """Someone who launched from a linked LMS course (or is on its roster), with their role."""

    __tablename__ = "lti_members"
    __table_args__ = (UniqueConstraint("context_pk", "username", name="uq_lti_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_pk: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id"), index=True)
    username: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiLineItem(Base):
    """The platform's gradebook column of one exercise or quiz in one linked LMS course."""

    __tablename__ = "lti_line_items"
    __table_args__ = (UniqueConstraint("context_pk", "item_id", name="uq_lti_line_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_pk: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(128))
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiScorePost(Base):
    """One score to send to a platform: the job (retried with backoff) and its audit record."""

    __tablename__ = "lti_score_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    context_pk: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(128))
    username: Mapped[str] = mapped_column(String(255), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    score_given: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_maximum: Mapped[float] = mapped_column(Float)
    activity_progress: Mapped[str] = mapped_column(String(32))
    grading_progress: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
