"""Assignment and Grade Services against the emulated platform (SQLite and PostgreSQL): one line
item per exercise, found again after re-linking or a lost record; a score post per change,
PendingManual then FullyGraded for a manually graded answer; retries and the audit of posts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import delete, select

from nbcampus.course.loader import load_course
from nbcampus.school.core.audit import AuditEvent
from nbcampus.school.core.events import bus
from nbcampus.school.core.models import utcnow
from nbcampus.school.enrolment.api import is_enrolled
from nbcampus.school.exchange.models import Submission
from nbcampus.school.grading import queue as grading
from nbcampus.school.lti import api as lti
from nbcampus.school.lti.models import LtiContext, LtiLineItem, LtiScorePost
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.school.quizzes.api import publish_quizzes, submit_attempt
from tests.lti.platform import INSTRUCTOR, LEARNER, PendingLaunch, forms, launch
from tests.lti.tool import serving_tool
from tests.service.test_lti_launch import SPOC, ticket_claims

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
def linked(database, make_course, tmp_path):
    """(tool, platform, learner's username, instructor's link form): a SPOC linked to LMS
    course bio-7 by its instructor, one learner launched from it."""
    # the installed entry points may predate this package: subscribe as the entry point does
    lti.subscribe(bus)
    with database.session() as session:
        publish_course(session, load_course(make_course("spoc", fmt="spoc", enrolment=SPOC)))
    with serving_tool(database, tmp_path, {"courses": ["spoc"]}) as (tool, platform):
        prof = requests.Session()
        page = launch(prof, platform, tool.login_url, PendingLaunch("prof", [INSTRUCTOR], "bio-7"))
        ((action, fields),) = forms(page.text)
        answer = prof.post(action, data={**fields, "course": "spoc", "cohort": ""}, timeout=30)
        assert answer.status_code == 200
        # a kept launch is taken once
        again = prof.post(action, data={**fields, "course": "spoc", "cohort": ""}, timeout=30)
        assert again.status_code == 401 and "used or too old" in again.text

        def relink(cohort: str) -> None:
            """The admin maps the LMS course in the platforms file; the next launch applies it."""
            mapping = {"course": "spoc", "cohort": cohort}
            settings = platform.settings(courses=["spoc"], contexts={"bio-7": mapping})
            Path(tool.lti.platforms_file).write_text(json.dumps([settings]))

        answer = launch(
            requests.Session(), platform, tool.login_url, PendingLaunch("s1", [LEARNER], "bio-7")
        )
        yield tool, platform, ticket_claims(tool, answer.text)["sub"], relink


def autograde(database, username: str, cells=CELLS, credit: float = 100.0) -> str:
    """A submission of ex1 graded by the queue (the GradeRecorded event published)."""
    with database.session() as session:
        sub = Submission(
            id=uuid.uuid4().hex,
            course_id="spoc",
            assignment_id="ex1",
            username=username,
            attempt=1,
            received_at=utcnow(),
            due_at=None,
            late_stage="on-time",
            credit_percent=credit,
            storage=f"submissions/{username}",
            files={},
            size=0,
        )
        session.add(sub)
        session.flush()
        grading.enqueue(session, [sub], requested_by="test")
        [job] = grading.claim(session, "w1", grading_lease(), limit=1)
        auto = sum(c["points"] or 0 for c in cells if c["kind"] == "auto")
        grading.complete(
            session,
            job.id,
            "w1",
            grading.Outcome("graded", auto, 5.0, [dict(c) for c in cells], []),
        )
        return sub.id


def grading_lease():
    return timedelta(seconds=30)


def mark(database, submission_id: str, points: float) -> None:
    with database.session() as session:
        grading.set_cell_score(
            session, submission_id, "ex1", "explain", points, None, actor="teacher", reason="marked"
        )


def send(database, tool) -> int:
    return lti.send_scores(database, tool.lti_client, tool.lti)


def test_pending_manual_then_fully_graded_posted_once_per_change(linked, database):
    tool, platform, username, _ = linked
    submission = autograde(database, username)
    assert send(database, tool) == 1
    [item] = platform.line_items_of("bio-7")
    assert item["resourceId"] == "nbcampus:spoc:ex1" and item["scoreMaximum"] == 2.0
    [first] = platform.scores
    assert first["userId"] == "s1" and first["scoreGiven"] == 2.0 and first["scoreMaximum"] == 5.0
    assert (first["gradingProgress"], first["activityProgress"]) == ("PendingManual", "Submitted")
    assert first["timestamp"].endswith("+00:00")
    # the manual answer is marked: FullyGraded, the full score
    mark(database, submission, 3.0)
    assert send(database, tool) == 1
    second = platform.scores[-1]
    assert (second["scoreGiven"], second["gradingProgress"], second["activityProgress"]) == (
        5.0,
        "FullyGraded",
        "Completed",
    )
    # the same mark again is no change: nothing posted
    mark(database, submission, 3.0)
    assert send(database, tool) == 0 and len(platform.scores) == 2
    # an override is a change
    mark(database, submission, 1.0)
    assert send(database, tool) == 1 and platform.scores[-1]["scoreGiven"] == 3.0
    assert len(platform.line_items_of("bio-7")) == 1
    # the tool asked for tokens with a signed assertion, never a secret
    assert {r["client_assertion_type"] for r in platform.token_requests} == {
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    }


def test_no_second_line_item_after_relinking_or_a_lost_record(linked, database):
    tool, platform, username, relink = linked
    submission = autograde(database, username)
    send(database, tool)
    # the LMS course is linked again (by the admin, to a cohort), a second instructor launches
    relink("self-paced")
    launch(
        requests.Session(), platform, tool.login_url, PendingLaunch("prof2", [INSTRUCTOR], "bio-7")
    )
    with database.session() as session:
        context = session.scalar(select(LtiContext))
        assert (context.cohort, context.linked_by) == ("self-paced", "settings")
    mark(database, submission, 3.0)
    send(database, tool)
    # the tool's own record of the line item is lost (restored database, another replica)
    with database.session() as session:
        session.execute(delete(LtiLineItem))
    mark(database, submission, 2.0)
    assert send(database, tool) == 1
    assert len(platform.line_items_of("bio-7")) == 1
    assert [s["line_item"] for s in platform.scores] == ["1", "1", "1"]


def test_failed_posts_are_retried_and_audited(linked, database):
    tool, platform, username, _ = linked
    platform.failures = 2
    autograde(database, username)
    assert send(database, tool) == 0
    assert send(database, tool) == 0
    assert send(database, tool) == 1  # retry_base_seconds is 0 in the tests
    with database.session() as session:
        [post] = session.scalars(select(LtiScorePost)).all()
        assert (post.state, post.attempts, post.status_code) == ("sent", 3, 200)
        rows = lti.score_posts(session, "spoc")
    assert rows[0]["state"] == "sent" and rows[0]["grading"] == "PendingManual"
    assert len(platform.scores) == 1


def test_a_post_the_platform_keeps_refusing_is_given_up_with_its_reason(linked, database):
    tool, platform, username, _ = linked
    autograde(database, username)
    # the platform forgets the tool: every token request now fails
    platform.client_id = "someone-else"
    tool.lti_client._tokens.clear()
    assert send(database, tool) == 0
    with database.session() as session:
        [post] = session.scalars(select(LtiScorePost)).all()
        assert (post.state, post.attempts, post.status_code) == ("queued", 1, 401)
        assert "/token: 401" in post.last_error
    # tried again, up to the limit, then given up: the row keeps why
    tool.lti.max_post_attempts = 2
    assert send(database, tool) == 0
    with database.session() as session:
        [post] = session.scalars(select(LtiScorePost)).all()
        assert (post.state, post.attempts) == ("failed", 2)
    assert send(database, tool) == 0 and platform.scores == []


def test_sync_posts_every_score_again(linked, database):
    tool, platform, username, _ = linked
    autograde(database, username)
    send(database, tool)
    platform.members["bio-7"] = [{"user_id": "s1", "roles": [LEARNER], "status": "Active"}]
    result = lti.sync_course(database, tool.lti_client, tool.lti, "spoc")
    assert (result["line_items"], result["queued"], result["sent"]) == (2, 1, 1)
    # a column per exercise and quiz, made once: a second sync finds them
    columns = {li["resourceId"] for li in platform.line_items_of("bio-7")}
    assert columns == {"nbcampus:spoc:ex1", "nbcampus:spoc:week1-quiz"}
    lti.sync_course(database, tool.lti_client, tool.lti, "spoc")
    assert len(platform.line_items_of("bio-7")) == 2 and len(platform.scores) == 3


def test_roster_sync_adds_and_removes_learners_of_the_spoc(linked, database):
    tool, platform, username, _ = linked
    platform.members["bio-7"] = [
        {"user_id": "prof", "roles": [INSTRUCTOR], "status": "Active"},
        {"user_id": "s2", "roles": [LEARNER], "status": "Active", "name": "New Learner"},
        {"user_id": "s3", "roles": [LEARNER], "status": "Inactive"},
    ]
    result = lti.sync_course(database, tool.lti_client, tool.lti, "spoc")
    [roster] = result["rosters"].values()
    assert len(roster.enrolled) == 1 and roster.unenrolled == [username]
    with database.session() as session:
        assert not is_enrolled(session, "spoc", username)
        assert is_enrolled(session, "spoc", roster.enrolled[0])
        left = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "enrolment.unenrolled", AuditEvent.subject == username
            )
        )
        assert left.actor == "lti:Emulated LMS" and "left the LMS course bio-7" in left.reason
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "lti.roster"))
    # the leaver's seat went to the newcomer; the same roster again changes nothing
    again = lti.sync_course(database, tool.lti_client, tool.lti, "spoc")
    [roster] = again["rosters"].values()
    assert roster.enrolled == [] and roster.unenrolled == []


def test_the_sync_command_reposts_a_course(linked, database, tmp_path):
    tool, platform, username, _ = linked
    autograde(database, username)
    send(database, tool)
    platform.members["bio-7"] = [{"user_id": "s1", "roles": [LEARNER], "status": "Active"}]
    env = dict(
        os.environ,
        NBCAMPUS_DB_URL=str(database.engine.url.render_as_string(hide_password=False)),
        NBCAMPUS_STATE_DIR=str(tmp_path),
        NBCAMPUS_LTI_PLATFORMS=tool.lti.platforms_file,
    )
    run = subprocess.run(
        [sys.executable, "-m", "nbcampus", "lti", "sync", "spoc"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "spoc: 2 gradebook columns, 1 scores queued, 1 sent" in run.stdout
    assert "enrolled 0, unenrolled 0" in run.stdout
    assert len(platform.scores) == 2 and len(platform.line_items_of("bio-7")) == 2


def test_quiz_attempts_post_the_best_score_to_the_quizs_own_line_item(
    linked, database, make_course
):
    tool, platform, username, _ = linked
    with database.session() as session:
        publish_quizzes(session, load_course(make_course.root / "spoc"))
    for answer in (0, 1, 0):  # wrong, right, wrong: the best attempt counts
        with database.session() as session:
            submit_attempt(session, "spoc", "week1-quiz", username, {"q1": answer})
    assert send(database, tool) == 2  # 0 of 1, then 1 of 1; the third changes nothing
    [item] = platform.line_items_of("bio-7")
    assert (item["resourceId"], item["tag"], item["scoreMaximum"]) == (
        "nbcampus:spoc:week1-quiz",
        "quiz",
        1.0,
    )
    assert [s["scoreGiven"] for s in platform.scores] == [0.0, 1.0]
    assert {s["gradingProgress"] for s in platform.scores} == {"FullyGraded"}


def test_a_late_submission_posts_its_penalised_score(linked, database):
    tool, platform, username, _ = linked
    submission = autograde(database, username, credit=50.0)  # the late policy's credit
    mark(database, submission, 3.0)
    send(database, tool)
    assert platform.scores[-1]["scoreGiven"] == 2.5  # 5 points at 50 %
    assert platform.scores[-1]["scoreMaximum"] == 5.0
