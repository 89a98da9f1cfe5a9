"""Certificates: what was certified to whom (a snapshot taken at issue), revocations, approvals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow

#: what an award is: a certificate (PDF and signed badge) or a module's signed badge only
CERTIFICATE, BADGE = "certificate", "badge"


class Certificate(Base):
    """One issued certificate. Its facts are copied at issue so a later course file does not
    change what was certified; a correction is a revocation and a re-issue (a new id and number).

    ``number`` counts per course (1, 2, 3...): unique with the course, shared by the course's
    certificate and its module awards. A learner holds at most one award per course and module
    that is not revoked (a partial unique index; ``module_id`` is "" for the whole course).
    """

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("course_id", "number"),
        Index(
            "uq_certificates_active_learner",
            "course_id",
            "username",
            "module_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index("ix_certificates_username", "username"),
    )

    #: unguessable (secrets.token_urlsafe): it is the key of the public verification page
    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    number: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(255))
    #: the learner's shown name at issue (``profiles``): a later change leaves it as issued
    learner_name: Mapped[str] = mapped_column(String(255))
    #: "" for the whole course, else the module whose completion this awards
    module_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    module_title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    #: certificate (a PDF and its signed badge) or badge (the signed badge only: a module's)
    award: Mapped[str] = mapped_column(String(16), default=CERTIFICATE, server_default=CERTIFICATE)
    course_title: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(8))
    cohort: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: the weighted score in percent (None where a course certifies completion only)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: hours of effort: the course's hours per week times its weeks
    hours: Mapped[float] = mapped_column(Float)
    #: {"organisation", "logo", "colors": {"primary", "accent"}} from the course file
    branding: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: "auto" when the service issued it as the learner became eligible, else the staff member
    issued_by: Mapped[str] = mapped_column(String(255))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: the certificate this one re-issues (revoked in the same transaction)
    replaces: Mapped[str | None] = mapped_column(String(48), nullable=True)


class CertificateApproval(Base):
    """A staff member's approval of one learner, for courses whose certificate requires it."""

    __tablename__ = "certificate_approvals"
    __table_args__ = (UniqueConstraint("course_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    username: Mapped[str] = mapped_column(String(255))
    approved_by: Mapped[str] = mapped_column(String(255))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
