"""Allocation: who reviews what, safe with several service replicas.

A learner asking for work gets an entry of the pool of their own cohort, never their own,
never one they reviewed or hold: the least loaded first (reviews done plus reservations
held), then the oldest submission. It is theirs for ``reservation_hours``; an expired
reservation is deleted and its load given back by whoever sweeps first.

Concurrency: the pool entry's ``load`` changes only by ``UPDATE ... WHERE load = <seen>``, so two
allocators never both take the same slot; on PostgreSQL candidates are read ``FOR UPDATE SKIP
LOCKED`` (a second replica takes the next entry instead of waiting), on SQLite every writer
holds the database's write lock (``BEGIN IMMEDIATE``). A reviewer holds one reservation per
assignment at a time (a partial unique index) and never two of the same entry (a unique
constraint).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from nbcampus.school.core.api import Conflict, Forbidden
from nbcampus.school.enrolment.api import ENROLLED, Enrolment
from nbcampus.school.exchange.api import Submission, is_latest_attempt
from nbcampus.school.peer_review.calibration import require_calibrated
from nbcampus.school.peer_review.models import PeerAllocation, PeerSubmission
from nbcampus.school.peer_review.rubric import PeerSettings

#: candidates read per round, rounds before giving up (bounded under contention)
BATCH, ROUNDS = 8, 6
#: expired reservations released per request
SWEEP = 100


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def sync_pool(session: Session, course_id: str, item: str, force: bool = False) -> None:
    """Bring the pool of ``item`` up to date: each enrolled learner's latest submission
    received since the pool's newest one joins it (or replaces their older one). Without
    ``force``, nothing is done when no submission is newer than the pool's newest (two index
    probes): a submission received at that same instant joins when it is graded."""
    newest = session.scalar(
        select(PeerSubmission.submitted_at)
        .where(PeerSubmission.course_id == course_id, PeerSubmission.assignment_id == item)
        .order_by(PeerSubmission.submitted_at.desc())
        .limit(1)
    )
    if newest is not None and not force:
        received = session.scalar(
            select(Submission.received_at)
            .where(Submission.course_id == course_id, Submission.assignment_id == item)
            .order_by(Submission.received_at.desc())
            .limit(1)
        )
        if received is None or received <= newest:
            return
    latest = (
        select(
            Submission.course_id,
            Submission.assignment_id,
            Submission.username,
            Enrolment.cohort_id,
            Submission.id,
            Submission.received_at,
        )
        .join(
            Enrolment,
            and_(
                Enrolment.course_id == Submission.course_id,
                Enrolment.username == Submission.username,
                Enrolment.status == ENROLLED,
            ),
        )
        .where(
            Submission.course_id == course_id,
            Submission.assignment_id == item,
            is_latest_attempt(),
            # only what the pool lacks: nothing is written (or locked) when it is up to date
            ~exists().where(
                PeerSubmission.course_id == Submission.course_id,
                PeerSubmission.assignment_id == Submission.assignment_id,
                PeerSubmission.username == Submission.username,
                PeerSubmission.submission_id == Submission.id,
            ),
        )
        .order_by(Submission.username)
    )
    if newest is not None:
        latest = latest.where(Submission.received_at >= newest)
    insert = (postgresql if _postgres(session) else sqlite).insert(PeerSubmission)
    statement = insert.from_select(
        ["course_id", "assignment_id", "username", "cohort_id", "submission_id", "submitted_at"],
        latest,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["course_id", "assignment_id", "username"],
        set_={
            "submission_id": statement.excluded.submission_id,
            "submitted_at": statement.excluded.submitted_at,
            "cohort_id": statement.excluded.cohort_id,
        },
        where=statement.excluded.submitted_at > PeerSubmission.submitted_at,
    )
    session.execute(statement)


def release_expired(session: Session, course_id: str, item: str, now: datetime) -> int:
    """Delete reservations of ``item`` expired at ``now`` and give their load back; each one
    once, whichever replica sweeps it. How many were released."""
    expired = session.execute(
        select(PeerAllocation.id, PeerAllocation.peer_submission_id)
        .where(
            PeerAllocation.course_id == course_id,
            PeerAllocation.assignment_id == item,
            PeerAllocation.done_at.is_(None),
            PeerAllocation.expires_at <= now,
        )
        .order_by(PeerAllocation.id)
        .limit(SWEEP)
    ).all()
    released = 0
    for allocation_id, entry_id in expired:
        gone = session.execute(
            delete(PeerAllocation).where(
                PeerAllocation.id == allocation_id, PeerAllocation.done_at.is_(None)
            )
        ).rowcount
        if gone:
            session.execute(
                update(PeerSubmission)
                .where(PeerSubmission.id == entry_id)
                .values(load=PeerSubmission.load - 1)
            )
            released += 1
    return released


def own_entry(session: Session, course_id: str, item: str, username: str) -> PeerSubmission | None:
    return session.scalar(
        select(PeerSubmission).where(
            PeerSubmission.course_id == course_id,
            PeerSubmission.assignment_id == item,
            PeerSubmission.username == username,
        )
    )


def held(
    session: Session, course_id: str, item: str, reviewer: str, now: datetime
) -> PeerAllocation | None:
    """The reviewer's unexpired reservation of ``item``, if any."""
    return session.scalar(
        select(PeerAllocation).where(
            PeerAllocation.course_id == course_id,
            PeerAllocation.assignment_id == item,
            PeerAllocation.reviewer == reviewer,
            PeerAllocation.done_at.is_(None),
            PeerAllocation.expires_at > now,
        )
    )


def _candidates(session: Session, enrolment: Enrolment, item: str, skip_locked: bool):
    mine = select(PeerAllocation.peer_submission_id).where(
        PeerAllocation.reviewer == enrolment.username,
        PeerAllocation.course_id == enrolment.course_id,
        PeerAllocation.assignment_id == item,
    )
    cohort = (
        PeerSubmission.cohort_id.is_(None)
        if enrolment.cohort_id is None
        else PeerSubmission.cohort_id == enrolment.cohort_id
    )
    query = (
        select(PeerSubmission.id, PeerSubmission.load, PeerSubmission.submission_id)
        .where(
            PeerSubmission.course_id == enrolment.course_id,
            PeerSubmission.assignment_id == item,
            cohort,
            PeerSubmission.username != enrolment.username,
            PeerSubmission.id.not_in(mine),
        )
        .order_by(PeerSubmission.load, PeerSubmission.submitted_at, PeerSubmission.id)
        .limit(1 if skip_locked else BATCH)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=PeerSubmission)
    return session.execute(query).all()


def allocate(
    session: Session, enrolment: Enrolment, settings: PeerSettings, now: datetime
) -> tuple[PeerAllocation, bool]:
    """A reservation for the learner of ``enrolment``: the one they hold (False), else a new
    one (True). Forbidden before they submitted or passed the calibration examples; Conflict
    when nothing is waiting."""
    course_id, item, reviewer = enrolment.course_id, settings.item, enrolment.username
    # every ask brings the pool up to date (cheap when it is: one index probe for the newest
    # entry, nothing written); graded submissions also join as they are graded (passes.on_grade)
    sync_pool(session, course_id, item)
    if own_entry(session, course_id, item, reviewer) is None:
        sync_pool(session, course_id, item, force=True)  # theirs may share the newest instant
    if own_entry(session, course_id, item, reviewer) is None:
        raise Forbidden(f"submit your own work for {item!r} before reviewing others'")
    require_calibrated(session, settings, course_id, reviewer)
    release_expired(session, course_id, item, now)
    current = held(session, course_id, item, reviewer, now)
    if current is not None:
        return current, False
    skip_locked = _postgres(session)
    for _ in range(ROUNDS):
        candidates = _candidates(session, enrolment, item, skip_locked)
        if not candidates and skip_locked:
            # every candidate is being handed out by another replica: wait for one of them
            candidates = _candidates(session, enrolment, item, False)
        if not candidates:
            raise Conflict(
                f"no submission of your cohort is waiting for a review of {item!r}; ask again later"
            )
        for entry_id, load, submission_id in candidates:
            taken = session.execute(
                update(PeerSubmission)
                .where(PeerSubmission.id == entry_id, PeerSubmission.load == load)
                .values(load=load + 1)
            ).rowcount
            if taken:
                allocation = PeerAllocation(
                    peer_submission_id=entry_id,
                    course_id=course_id,
                    assignment_id=item,
                    reviewer=reviewer,
                    submission_id=submission_id,
                    created_at=now,
                    expires_at=now + timedelta(hours=settings.reservation_hours),
                )
                session.add(allocation)
                session.flush()
                return allocation, True
    raise Conflict("every waiting submission is being handed out right now; ask again")
