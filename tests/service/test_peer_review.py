"""Peer review rules on SQLite and PostgreSQL: allocation (fairness, own cohort, never one's
own nor twice the same, expiry on a simulated clock, two allocators at once), the grade
(medians, hidden until one gave one's reviews, flexible after the wait, into THE course
score), anonymity and hidden tests in the review notebook, flags and audited overrides."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from nbcampus.course.check import check_course
from nbcampus.course.loader import load_course
from nbcampus.school.core.audit import AuditEvent
from nbcampus.school.core.errors import CampusError, Conflict, Forbidden, NotFound
from nbcampus.school.core.events import GradeRecorded, publish
from nbcampus.school.core.models import utcnow
from nbcampus.school.core.scopes import LEARN, Permissions, course_scope
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.exchange.models import Submission
from nbcampus.school.exchange.paths import graded_notebooks_dir
from nbcampus.school.grading.models import Grade
from nbcampus.school.peer_review import api as peer
from nbcampus.school.peer_review.reviews import Gone
from nbcampus.school.progress import reports
from nbcampus.school.progress.score import course_scores
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.testing import write_peer_course

COURSE = "peer"
TEACHER = Permissions("teacher", [LEARN, course_scope("teach", COURSE)])
RUBRIC = [
    {
        "id": "clarity",
        "title": "Clarity",
        "levels": [
            {"points": 0, "description": "hard to follow"},
            {"points": 1, "description": "mostly clear"},
            {"points": 2, "description": "clear"},
        ],
    },
    {
        "id": "method",
        "title": "Method",
        "levels": [
            {"points": 0, "description": "wrong"},
            {"points": 3, "description": "sound"},
        ],
    },
]
BLOCK = {
    "rubric": RUBRIC,
    "reviews_required": 2,
    "reviews_wanted": 2,
    "self_assessment": True,
    "reservation_hours": 8,
    "review_due_offset_days": 14,
    "flexible_after_days": 7,
    "flexible_fraction": 0.3,
}
NOW = utcnow()


def learner(name: str) -> Permissions:
    return Permissions(name, [LEARN])


def graded_notebook(author: str) -> dict:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "language_info": {"name": "python"},
            "nbgrader": {"student": author},
            "author": author,
        },
        "cells": [
            {
                "cell_type": "code",
                "id": f"{author}-cell",
                "metadata": {"nbgrader": {"grade_id": "double", "solution": True}},
                "execution_count": 1,
                "source": f"def double(x):\n    return 2 * x  # by {author}\nprint(double(2))",
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": f"4 /home/{author}/ex1\n"}
                ],
            },
            {
                "cell_type": "code",
                "id": "t",
                "metadata": {"nbgrader": {"grade": True, "solution": False, "grade_id": "t"}},
                "execution_count": 2,
                "source": "assert double(2) == 4\n### BEGIN HIDDEN TESTS\n"
                "assert double(-1) == -2  # secret-check\n### END HIDDEN TESTS\n",
                "outputs": [
                    {
                        "output_type": "error",
                        "ename": "AssertionError",
                        "evalue": "",
                        "traceback": ["assert double(-1) == -2  # secret-check"],
                    }
                ],
            },
            {
                "cell_type": "markdown",
                "id": "essay",
                "metadata": {"nbgrader": {"grade": True, "solution": True, "grade_id": "essay"}},
                "source": f"My essay, signed {author}. <script>alert(1)</script>",
            },
        ],
    }


class Peer:
    def __init__(self, database, exchange: Path, course: str = COURSE):
        self.db, self.exchange, self.course = database, exchange, course

    def run(self, fn, *args, **kwargs):
        with self.db.session() as session:
            return fn(session, *args, **kwargs)

    def submit(self, name: str, at, attempt: int = 1, announce: bool = True) -> str:
        """A submission of ex1 graded by the grader: 2/2 automatic, the 4-point essay open."""
        sid = uuid.uuid4().hex
        with self.db.session() as session:
            session.add(
                Submission(
                    id=sid,
                    course_id=self.course,
                    assignment_id="ex1",
                    username=name,
                    attempt=attempt,
                    received_at=at,
                    late_stage="on-time",
                    credit_percent=100.0,
                    storage=f"submissions/{name}/{sid}",
                    files={"ex1.ipynb": {}},
                    size=0,
                )
            )
            session.flush()
            cells = [
                {
                    "notebook": "ex1",
                    "grade_id": "t",
                    "max_points": 2.0,
                    "points": 2.0,
                    "kind": "auto",
                    "status": "ok",
                },
                {
                    "notebook": "ex1",
                    "grade_id": "essay",
                    "max_points": 4.0,
                    "points": None,
                    "kind": "manual",
                    "status": "manual",
                },
            ]
            session.add(
                Grade(
                    submission_id=sid,
                    course_id=self.course,
                    assignment_id="ex1",
                    username=name,
                    state="graded",
                    auto_score=2.0,
                    raw_score=2.0,
                    max_score=6.0,
                    score=2.0,
                    cells=cells,
                    graded_by="grader",
                )
            )
            session.flush()  # announced as the grading package does: the pool takes it in
            if announce:
                publish(session, GradeRecorded(self.course, name, sid, "ex1"))
        folder = graded_notebooks_dir(self.exchange, sid)
        folder.mkdir(parents=True)
        (folder / "ex1.ipynb").write_text(json.dumps(graded_notebook(name)))
        return sid

    def ask(self, name: str, now=NOW):
        return self.run(peer.ask_for_work, learner(name), self.course, "ex1", self.exchange, now)

    def review(self, name: str, allocation_id: int, levels=None, now=NOW, **extra):
        body = {"levels": levels or {"clarity": 2, "method": 1}, **extra}
        return self.run(peer.give_review, learner(name), allocation_id, body, now)

    def author_of(self, allocation_id: int) -> str:
        with self.db.session() as session:
            allocation = session.get(peer.PeerAllocation, allocation_id)
            return session.get(Submission, allocation.submission_id).username


@pytest.fixture
def pool(database, make_course, tmp_path):
    """ana, bo, cy, dee in the spring run of ``peer``; eve in the autumn run."""

    def make(**block):
        with database.session() as session:
            publish_course(
                session,
                load_course(write_peer_course(make_course.root, COURSE, {**BLOCK, **block})),
            )
        for name in ("ana", "bo", "cy", "dee", "eve"):
            with database.session() as session:
                rules.enrol(session, COURSE, rules.Learner(name))
        with database.session() as session:
            rules.move(session, COURSE, "eve", "autumn", actor="teacher", reason="later run")
        return Peer(database, tmp_path / "exchange")

    return make


def test_allocation_gives_the_least_reviewed_then_the_oldest_never_ones_own(pool):
    p = pool()
    p.submit("ana", NOW - timedelta(hours=3))
    p.submit("bo", NOW - timedelta(hours=2))
    p.submit("cy", NOW - timedelta(hours=1))
    p.submit("dee", NOW - timedelta(minutes=30))
    first, created = p.ask("dee")
    assert created and p.author_of(first["allocation_id"]) == "ana"  # the oldest
    again, created = p.ask("dee")
    assert not created and again["allocation_id"] == first["allocation_id"]  # held: the same
    # ana is reserved (load 1): the next least loaded, oldest first, never one's own
    second, _ = p.ask("cy")
    assert p.author_of(second["allocation_id"]) == "bo"
    third, _ = p.ask("ana")
    assert p.author_of(third["allocation_id"]) == "cy"
    fourth, _ = p.ask("bo")
    assert p.author_of(fourth["allocation_id"]) == "dee"  # the last at load 0
    # dee reviews ana, then never gets ana again
    p.review("dee", first["allocation_id"])
    nxt, _ = p.ask("dee")
    assert p.author_of(nxt["allocation_id"]) not in ("ana", "dee")


def test_work_still_being_graded_is_handed_out_at_the_next_ask(pool):
    """The pool takes in graded work as it is graded, and any newer submission at the next ask:
    a reviewer never hears "nothing waiting" while a peer's work is in the grading queue."""
    p = pool(reviews_wanted=1, reviews_required=2)
    p.submit("ana", NOW - timedelta(hours=2))
    p.submit("bo", NOW - timedelta(hours=1))
    found, _ = p.ask("ana")
    assert p.author_of(found["allocation_id"]) == "bo"
    p.review("ana", found["allocation_id"])
    p.submit("cy", NOW, announce=False)  # received, its grade not recorded yet
    found, _ = p.ask("ana")
    assert p.author_of(found["allocation_id"]) == "cy"


def test_own_cohort_only_and_submit_before_reviewing(pool):
    p = pool()
    p.submit("ana", NOW - timedelta(hours=1))
    with pytest.raises(Forbidden, match="submit your own work"):
        p.ask("bo")
    p.submit("eve", NOW - timedelta(hours=2))  # autumn: not bo's cohort
    p.submit("bo", NOW)
    got, _ = p.ask("bo")
    assert p.author_of(got["allocation_id"]) == "ana"
    p.review("bo", got["allocation_id"])
    with pytest.raises(Conflict, match="no submission of your cohort is waiting"):
        p.ask("bo")
    with pytest.raises(Forbidden, match="zed is not enrolled"):
        p.run(peer.ask_for_work, learner("zed"), COURSE, "ex1", p.exchange, NOW)
    with pytest.raises(NotFound, match="no peer-reviewed assignment 'nope'"):
        p.run(peer.ask_for_work, learner("ana"), COURSE, "nope", p.exchange, NOW)


def test_an_expired_reservation_goes_back_to_the_pool(pool):
    p = pool(reservation_hours=2)
    p.submit("ana", NOW - timedelta(hours=1))
    p.submit("bo", NOW)
    p.submit("cy", NOW)
    held, _ = p.ask("bo")
    assert p.author_of(held["allocation_id"]) == "ana"
    later = NOW + timedelta(hours=2, seconds=1)
    with pytest.raises(Gone, match="expired"):
        p.review("bo", held["allocation_id"], now=later)
    # cy asks after the expiry: ana's slot was given back, so ana (oldest, load 0) again
    got, _ = p.ask("cy", now=later)
    assert p.author_of(got["allocation_id"]) == "ana"
    with pytest.raises(NotFound):  # released: bo's reservation is gone
        p.review("bo", held["allocation_id"], now=later)
    # bo gets a new reservation: cy's work, now the least loaded
    again, created = p.ask("bo", now=later)
    assert created and p.author_of(again["allocation_id"]) == "cy"


def test_two_allocators_at_once_never_share_a_reservation(pool):
    p = pool()
    names = [f"l{i}" for i in range(8)]
    for name in names:
        with p.db.session() as session:
            rules.enrol(session, COURSE, rules.Learner(name))
        p.submit(name, NOW - timedelta(minutes=len(name)))
    results, errors = {}, []
    barrier = threading.Barrier(len(names))

    def work(name):
        try:
            barrier.wait()
            found, _ = p.ask(name)
            results[name] = found["allocation_id"]
        except Exception as e:  # pragma: no cover - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results.values())) == len(names)
    with p.db.session() as session:
        entries = session.scalars(select(peer.PeerSubmission)).all()
        holders = session.scalars(select(peer.PeerAllocation)).all()
        # every slot counted once: each entry's load is the reservations of it
        for entry in entries:
            assert entry.load == sum(a.peer_submission_id == entry.id for a in holders)
        assert (
            len(holders) == len(names) == len({(a.peer_submission_id, a.reviewer) for a in holders})
        )
        holders = session.scalars(select(peer.PeerAllocation)).all()
        assert all(
            a.reviewer != session.get(peer.PeerSubmission, a.peer_submission_id).username
            for a in holders
        )


def test_grade_is_the_median_per_criterion_shown_after_giving_the_reviews(pool):
    p = pool(reviews_wanted=3, reviews_required=3)
    for i, name in enumerate(("ana", "bo", "cy", "dee")):
        p.submit(name, NOW - timedelta(hours=4 - i))
    levels = {
        "bo": {"clarity": 0, "method": 1},
        "cy": {"clarity": 2, "method": 1},
        "dee": {"clarity": 1, "method": 0},
    }
    for reviewer, given in levels.items():
        # each reviewer gets the least loaded; loop until they hold ana's work
        for _ in range(3):
            found, _ = p.ask(reviewer)
            if p.author_of(found["allocation_id"]) == "ana":
                break
            p.review(reviewer, found["allocation_id"])
        assert p.author_of(found["allocation_id"]) == "ana"
        p.review(reviewer, found["allocation_id"], given, comment="**good** <script>x</script>")
    mine = p.run(peer.received, learner("ana"), COURSE, "ex1", NOW)
    assert [r["reviewer"] for r in mine["reviews"]] == ["Reviewer 1", "Reviewer 2", "Reviewer 3"]
    assert mine["grade"] is None and mine["why"] == "give 3 more reviews to see your grade"
    assert "<script>" not in mine["reviews"][0]["comment_html"]
    assert "<strong>good</strong>" in mine["reviews"][0]["comment_html"]
    for _ in range(3):
        found, _ = p.ask("ana")
        p.review("ana", found["allocation_id"])
    mine = p.run(peer.received, learner("ana"), COURSE, "ex1", NOW)
    # clarity 0, 2, 1 -> 1; method 3, 3, 0 -> 3; out of 2 + 3
    assert mine["grade"]["criteria"] == [
        {"id": "clarity", "median": 1.0},
        {"id": "method", "median": 3.0},
    ]
    assert (mine["grade"]["score"], mine["grade"]["max_score"]) == (4.0, 5.0)
    assert mine["grade"]["flexible"] is False
    # recorded as the essay's points: 4/5 of 4 points, audited by the grading package
    with p.db.session() as session:
        grade = session.scalar(select(Grade).where(Grade.username == "ana"))
        essay = next(c for c in grade.cells if c["grade_id"] == "essay")
        assert essay["points"] == pytest.approx(3.2) and essay["graded_by"] == "peer-review"
        assert grade.score == pytest.approx(5.2)
        # THE course score reads it: 5.2 of ex1's 6 points
        score = course_scores(session, COURSE, grade_course_data(session), ["ana"])["ana"]
        # no quiz is published here: the assignments part is the whole score
        assert score == pytest.approx(100 * 5.2 / 6)
        lines = {r["username"]: r for r in reports.learner_report(session, COURSE)}
        assert lines["ana"]["peer_reviews_given"] == 3 and lines["eve"]["peer_reviews_given"] == 0


def grade_course_data(session):
    from nbcampus.school.catalog.courses import get_course

    return get_course(session, COURSE).data


def test_flexible_grading_after_the_wait(pool):
    p = pool(reviews_wanted=3, reviews_required=3, flexible_after_days=7, flexible_fraction=0.3)
    p.submit("ana", NOW - timedelta(hours=2))
    p.submit("bo", NOW - timedelta(hours=1))
    found, _ = p.ask("bo")
    p.review("bo", found["allocation_id"], {"clarity": 2, "method": 1})
    # ana has given none: hidden; give her the three needed through the API on others
    for name in ("cy", "dee"):
        p.submit(name, NOW)
    for _ in range(3):
        found, _ = p.ask("ana")
        p.review("ana", found["allocation_id"])
    early = p.run(peer.received, learner("ana"), COURSE, "ex1", NOW)
    assert early["grade"] is None and early["why"] == "your work is waiting for reviews"
    late = NOW + timedelta(days=7, hours=3)
    flexible = p.run(peer.received, learner("ana"), COURSE, "ex1", late)["grade"]
    assert flexible["flexible"] is True and flexible["score"] == 5.0  # ceil(0.3*3)=1 review
    # nobody reviews any more: the service's periodic pass writes it once the wait is over
    assert p.run(peer.record_due, NOW) == 0
    assert essay_points(p, "ana") == (None, None)
    assert p.run(peer.record_due, late) == 1
    assert essay_points(p, "ana") == (pytest.approx(4.0), "peer-review")  # 5/5 of 4 points
    assert p.run(peer.record_due, late + timedelta(days=1)) == 0  # written once


def essay_points(p: Peer, name: str):
    with p.db.session() as session:
        grade = session.scalar(select(Grade).where(Grade.username == name))
        essay = next(c for c in grade.cells if c["grade_id"] == "essay")
        return essay["points"], essay.get("graded_by")


def test_a_grade_that_arrives_after_the_reviews_gets_the_peer_grade(pool):
    """Reviews can come before the grader's grade (a slow grading queue): the grade recorded
    then gets the peer grade at once, through the grading package's GradeRecorded event."""
    p = pool(reviews_wanted=1, reviews_required=1)
    sid = p.submit("ana", NOW - timedelta(hours=1))
    p.submit("bo", NOW)
    with p.db.session() as session:  # ana's grade is not there yet
        row = session.scalar(select(Grade).where(Grade.submission_id == sid))
        ungraded = {c.key: getattr(row, c.key) for c in Grade.__table__.columns}
        session.delete(row)
    found, _ = p.ask("bo")
    p.review("bo", found["allocation_id"], {"clarity": 1, "method": 1})
    found, _ = p.ask("ana")
    p.review("ana", found["allocation_id"])
    assert p.run(peer.received, learner("ana"), COURSE, "ex1", NOW)["grade"]["score"] == 4.0
    with p.db.session() as session:  # the grader finishes: its grade, announced as it does
        session.add(Grade(**ungraded))
        session.flush()
        publish(session, GradeRecorded("peer", "ana", sid, "ex1"))
    # 4 of 5 rubric points: 3.2 of the essay's 4
    assert essay_points(p, "ana") == (pytest.approx(3.2), "peer-review")


def test_the_review_notebook_is_anonymous_and_has_no_hidden_tests(pool):
    p = pool()
    p.submit("ana", NOW - timedelta(hours=1))
    p.submit("bo", NOW)
    found, _ = p.ask("bo")
    text = json.dumps(found)
    assert "ana" not in text.lower().replace("[author]", "")
    assert "secret-check" not in text and "HIDDEN TESTS" not in text
    assert "double(2) == 4" in text  # the visible test stays
    assert "4 /home/[author]/ex1" in text  # outputs as the grader executed them
    assert "<script>" not in found["html"] and "&lt;script&gt;" in found["html"]
    assert found["notebook"]["metadata"] == {
        "language_info": {"name": "python"},
        "nbcampus": {"executed": True},
    }
    assert all(c["metadata"] == {} and "id" not in c for c in found["notebook"]["cells"])
    assert [c["id"] for c in found["rubric"]] == ["clarity", "method"]


def test_reviews_are_checked_against_the_rubric_and_nothing_is_half_written(pool):
    p = pool()
    p.submit("ana", NOW - timedelta(hours=1))
    p.submit("bo", NOW)
    found, _ = p.ask("bo")
    aid = found["allocation_id"]
    for levels, message in (
        ({"clarity": 2}, "give a level for criterion 'method'"),
        ({"clarity": 3, "method": 0}, "levels.clarity: 3 is not a level"),
        ({"clarity": 1, "method": 0, "style": 1}, "unknown criterion 'style'"),
    ):
        with pytest.raises(CampusError, match=message):
            p.review("bo", aid, levels)
    with pytest.raises(CampusError, match="at most 20000 characters"):
        p.review("bo", aid, comments={"clarity": "x" * 20_001})
    with pytest.raises(Forbidden, match="not yours"):
        p.review("ana", aid)
    given = p.review("bo", aid)
    assert given["reviews_given"] == 1
    with pytest.raises(Conflict, match="already reviewed"):
        p.review("bo", aid)
    with p.db.session() as session:
        assert len(session.scalars(select(peer.PeerReview)).all()) == 1


def test_flags_and_overrides_reach_the_staff_queue_audited(pool):
    p = pool()
    p.submit("ana", NOW - timedelta(hours=5))
    p.submit("bo", NOW - timedelta(hours=1))
    found, _ = p.ask("bo")
    review = p.review("bo", found["allocation_id"], {"clarity": 0, "method": 0})
    with pytest.raises(NotFound):  # only the learner reviewed flags
        p.run(peer.flag_review, learner("cy"), review["review_id"], "unfair", NOW)
    p.run(peer.flag_review, learner("ana"), review["review_id"], "ignored my method", NOW)
    queue = p.run(peer.staff_queue, TEACHER, COURSE, "ex1", NOW)
    short = {row["username"]: row for row in queue["short"]}
    assert short["ana"]["reviews"] == 1 and short["ana"]["age_seconds"] >= 5 * 3600
    assert short["bo"]["reviews"] == 0 and list(short) == ["ana", "bo"]  # oldest first
    assert queue["flagged"][0]["reason"] == "ignored my method"
    with pytest.raises(Forbidden):
        p.run(peer.staff_queue, learner("ana"), COURSE, "ex1", NOW)
    with pytest.raises(CampusError, match="between 0 and 5"):
        p.run(peer.override, TEACHER, COURSE, "ex1", "ana", 6, "too many", NOW)
    done = p.run(peer.override, TEACHER, COURSE, "ex1", "ana", 4, "staff read it", NOW)
    assert done["grade"]["override"] and done["grade"]["score"] == 4
    with p.db.session() as session:
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.action == "peer_review.override")
        )
        assert (event.actor, event.subject, event.reason) == ("teacher", "ana", "staff read it")
        assert event.details["to"] == 4.0
        essay = next(
            c
            for c in session.scalar(select(Grade).where(Grade.username == "ana")).cells
            if c["grade_id"] == "essay"
        )
        assert essay["points"] == pytest.approx(3.2)
    queue = p.run(peer.staff_queue, TEACHER, COURSE, "ex1", NOW)
    assert "ana" not in {row["username"] for row in queue["short"]}


def test_self_assessment_once_and_not_in_the_grade(pool):
    p = pool()
    p.submit("ana", NOW)
    body = {"levels": {"clarity": 2, "method": 1}}
    p.run(peer.self_assess, learner("ana"), COURSE, "ex1", body, NOW)
    with pytest.raises(Conflict, match="already assessed"):
        p.run(peer.self_assess, learner("ana"), COURSE, "ex1", body, NOW)
    mine = p.run(peer.received, learner("ana"), COURSE, "ex1", NOW)
    assert mine["self"]["reviewer"] == "You" and mine["reviews"] == []
    items = p.run(peer.my_peer_reviews, learner("ana"), COURSE, NOW)["items"]
    assert items[0]["phase"] == "submission" and items[0]["submitted"]
    assert items[0]["reviews_given"] == 0


def test_course_check_refuses_bad_peer_review_settings(make_course):
    folder = write_peer_course(
        make_course.root, "bad-peer", {**BLOCK, "review_due_offset_days": 3, "reviews_wanted": 3}
    )
    data = yaml.safe_load((folder / "course.yml").read_text())
    data["modules"][0]["assignments"][0]["peer_review"]["rubric"][0]["levels"].reverse()
    (folder / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    messages = [p.message for p in check_course(folder)]
    assert any("review phase ends (day 3) before" in m for m in messages), messages
    assert any("wants 3 reviews but each learner gives only 2" in m for m in messages)
    assert any("must give rising points" in m for m in messages)
    data["modules"][0]["assignments"][0]["peer_review"]["reviews_wanted"] = 0
    (folder / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    problems = check_course(folder)
    assert any("reviews_wanted" in p.message and p.line > 0 for p in problems), problems


def test_migrations_0010_to_0012_go_down_and_up_again(database_url):
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from nbcampus.school.core.db import alembic_config, upgrade

    def tables():
        engine = create_engine(database_url)
        try:
            return {t for t in inspect(engine).get_table_names() if t.startswith("peer_")}
        finally:
            engine.dispose()

    everything = {"peer_submissions", "peer_allocations", "peer_reviews", "peer_calibrations"}
    upgrade(database_url)
    assert tables() == everything
    engine = create_engine(database_url)
    columns = {c["name"] for c in inspect(engine).get_columns("peer_submissions")}
    indexes = {i["name"] for i in inspect(engine).get_indexes("peer_calibrations")}
    engine.dispose()
    assert "recorded_score" in columns  # 0011
    assert indexes == {"ix_peer_calibrations_learner"}  # 0012
    command.downgrade(alembic_config(database_url), "0011")
    assert tables() == everything - {"peer_calibrations"}
    command.downgrade(alembic_config(database_url), "0009")
    assert tables() == set()
    upgrade(database_url)
    assert tables() == everything
