"""The grading queue on SQLite and PostgreSQL: leases, lost leases, retries, one grade per
submission, the late policy on the score, audited overrides."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from nbcampus.course.loader import load_course
from nbcampus.school.core.audit import AuditEvent
from nbcampus.school.core.errors import CampusError
from nbcampus.school.core.models import utcnow
from nbcampus.school.exchange.models import Submission
from nbcampus.school.grading import queue as grading
from nbcampus.school.grading.models import Grade, GradingJob
from nbcampus.school.publishing.catalog import publish_course

LEASE = timedelta(seconds=30)
CELLS = [
    {
        "notebook": "ex1",
        "grade_id": "test_double",
        "max_points": 2.0,
        "points": 2.0,
        "kind": "auto",
        "status": "ok",
    },
    {
        "notebook": "ex1",
        "grade_id": "explain",
        "max_points": 3.0,
        "points": None,
        "kind": "manual",
        "status": "manual",
    },
]


@pytest.fixture
def submissions(database, make_course):
    with database.session() as session:
        publish_course(session, load_course(make_course("open-mooc")))
        subs = []
        for who, credit in (("ana", 100.0), ("bo", 50.0)):
            sub = Submission(
                id=uuid.uuid4().hex,
                course_id="open-mooc",
                assignment_id="ex1",
                username=who,
                attempt=1,
                received_at=utcnow(),
                due_at=None,
                late_stage="on-time",
                credit_percent=credit,
                storage=f"submissions/{who}",
                files={},
                size=0,
            )
            session.add(sub)
            subs.append(sub)
        session.flush()
        grading.enqueue(session, subs, requested_by="test")
        return [s.id for s in subs]


def outcome(state="graded"):
    return grading.Outcome(state, 2.0, 5.0, [dict(c) for c in CELLS], [])


def test_a_job_is_claimed_once_while_its_lease_holds(database, submissions):
    with database.session() as session:
        first = grading.claim(session, "w1", LEASE, limit=5)
    with database.session() as session:
        second = grading.claim(session, "w2", LEASE, limit=5)
    assert len(first) == 2 and second == []
    # enqueuing again while queued/running adds nothing
    with database.session() as session:
        again = grading.enqueue(
            session, [session.get(Submission, s) for s in submissions], requested_by="t"
        )
        assert {j.id for j in again} == {j.id for j in first}
        assert session.scalar(select(func.count()).select_from(GradingJob)) == 2


def test_an_expired_lease_is_taken_over_and_the_late_result_dropped(database, submissions):
    with database.session() as session:
        [job] = grading.claim(session, "dead-worker", LEASE, limit=1)
        job_id = job.id
    later = utcnow() + LEASE + timedelta(seconds=1)
    with database.session() as session:
        [again] = grading.claim(session, "w2", LEASE, limit=1, now=later)
        assert again.id == job_id and again.attempts == 2
    with database.session() as session:
        assert grading.complete(session, job_id, "dead-worker", outcome()) is None
    with database.session() as session:
        grade = grading.complete(session, job_id, "w2", outcome())
        assert grade is not None and grade.state == "graded"
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Grade)) == 1
        assert session.get(GradingJob, job_id).state == "graded"


def test_concurrent_claims_never_share_a_job(database, make_course):
    with database.session() as session:
        publish_course(session, load_course(make_course("open-mooc")))
        subs = [
            Submission(
                id=uuid.uuid4().hex,
                course_id="open-mooc",
                assignment_id="ex1",
                username=f"l{i}",
                attempt=1,
                received_at=utcnow(),
                due_at=None,
                late_stage="on-time",
                credit_percent=100.0,
                storage="x",
                files={},
                size=0,
            )
            for i in range(40)
        ]
        session.add_all(subs)
        session.flush()
        grading.enqueue(session, subs, requested_by="t")
    taken: dict[str, list[int]] = {}

    def worker(name):
        mine = taken.setdefault(name, [])
        for _ in range(40):
            with database.session() as session:
                jobs = grading.claim(session, name, LEASE, limit=2)
                mine.extend(j.id for j in jobs)
            if not jobs:
                return

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    all_ids = [i for ids in taken.values() for i in ids]
    assert len(all_ids) == 40 and len(set(all_ids)) == 40


def test_late_credit_applies_to_the_score(database, submissions):
    with database.session() as session:
        jobs = grading.claim(session, "w", LEASE, limit=2)
        for job in jobs:
            grading.complete(session, job.id, "w", outcome())
    with database.session() as session:
        grades = {g.username: g for g in session.scalars(select(Grade))}
        assert grades["ana"].raw_score == 2.0 and grades["ana"].score == 2.0
        assert grades["bo"].raw_score == 2.0 and grades["bo"].score == 1.0


def test_crashes_are_retried_then_marked_for_review(database, submissions):
    for attempt in range(3):
        with database.session() as session:
            jobs = grading.claim(session, "w", LEASE, limit=1)
            grading.fail(session, jobs[0].id, "w", f"boom {attempt}", max_attempts=3)
    with database.session() as session:
        job = session.get(GradingJob, jobs[0].id)
        assert job.state == "failed" and job.attempts == 3
        grade = session.scalar(select(Grade).where(Grade.submission_id == job.submission_id))
        assert grade.state == "review" and "boom 2" in grade.review_reasons[0]
    with database.session() as session:
        from nbcampus.school.grading.grades import current_grades

        assert "ana" not in current_grades(session, "open-mooc")  # review does not count


def test_manual_points_are_audited_kept_on_regrade_and_bounded(database, submissions):
    with database.session() as session:
        [job] = grading.claim(session, "w", LEASE, limit=1)
        grading.complete(session, job.id, "w", outcome())
        sub_id = job.submission_id
    with database.session() as session:
        grade = grading.set_cell_score(
            session, sub_id, "ex1", "explain", 2.5, "clear", actor="teacher", reason="rubric"
        )
        assert grade.raw_score == 4.5 and grade.manual_score == 2.5
        with pytest.raises(CampusError, match="between 0 and 3"):
            grading.set_cell_score(
                session, sub_id, "ex1", "explain", 4, None, actor="t", reason="x"
            )
    with database.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "grade.override"))
        assert event.actor == "teacher" and event.reason == "rubric"
        assert event.details["to"] == 2.5
    # a regrade keeps the staff's manual points
    with database.session() as session:
        grading.enqueue(session, [session.get(Submission, sub_id)], requested_by="teacher")
    with database.session() as session:
        jobs = grading.claim(session, "w", LEASE, limit=5)
        job = next(j for j in jobs if j.submission_id == sub_id)
        grade = grading.complete(session, job.id, "w", outcome())
        assert grade.raw_score == 4.5
    with database.session() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Grade).where(Grade.submission_id == sub_id)
            )
            == 1
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "grade.regrade")
            )
            == 1
        )
