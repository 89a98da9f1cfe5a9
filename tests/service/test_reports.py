"""Reports for training managers and instructors: every measure against hand-made data (SQLite
and PostgreSQL), cohort restriction, a learner's own line, certificates when the table exists;
the report page; and, through a real hub, the scopes (whole course or one cohort) and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import create_engine, text
from traitlets import TraitError
from traitlets.config import Config

from nbcampus.school.catalog.models import Cohort, CourseRecord
from nbcampus.school.certificates.counts import issued_per_cohort, issued_per_learner
from nbcampus.school.certificates.models import Certificate
from nbcampus.school.core.models import utcnow
from nbcampus.school.core.scopes import Permissions
from nbcampus.school.enrolment.models import Enrolment
from nbcampus.school.progress import api as reports
from nbcampus.school.progress.models import ActivityEvent
from nbcampus.school.quizzes.models import QuizAttempt, QuizRecord
from nbcampus.testing import add_graded_submission

from .conftest import call

NOW = utcnow().replace(microsecond=0)
DAY = timedelta(days=1)

COURSE = {
    "id": "c1",
    "title": "Course <1>",
    "format": "sooc",
    "pedagogy": "cmooc",
    "modules": [
        {"id": "week1", "assignments": [{"id": "a1", "points": 10}], "quiz": {"file": "q.ipynb"}},
        {"id": "week2", "assignments": [{"id": "a2", "points": 10}]},
    ],
    "grading": {"weights": {"assignments": 0.8, "quizzes": 0.2}, "pass_score": 60},
}


def _submission(session, username, assignment, attempt, received_at, score, state="graded"):
    add_graded_submission(
        session,
        "c1",
        username,
        assignment,
        score=score,
        max_score=10.0,
        attempt=attempt,
        received_at=received_at,
        state=state,
        graded_by="grader",
    )


def _event(session, username, kind, at, module=None, seconds=0, count=0, course="c1"):
    session.add(
        ActivityEvent(
            username=username,
            course_id=course,
            module_id=module,
            kind=kind,
            seconds=seconds,
            count=count,
            at=at,
        )
    )


@pytest.fixture
def school(database):
    """c1 with cohorts spring and autumn. ana (spring) completes; bo (spring) passes a1 only;
    cy (autumn) only connected 40 days ago; dee unenrolled and eve waitlisted never count."""
    with database.session() as s:
        s.add(
            CourseRecord(
                id="c1",
                title=COURSE["title"],
                format="sooc",
                pedagogy="cmooc",
                data=COURSE,
                source_hash="h",
            )
        )
        s.flush()
        spring = Cohort(course_id="c1", name="spring", starts_at=NOW - 60 * DAY)
        autumn = Cohort(course_id="c1", name="autumn", starts_at=NOW - 30 * DAY)
        s.add_all([spring, autumn])
        s.flush()
        for name, cohort, status, days in [
            ("ana", spring, "enrolled", 20),
            ("bo", spring, "enrolled", 10),
            ("cy", autumn, "enrolled", 45),
            ("dee", spring, "unenrolled", 20),
            ("eve", spring, "waitlisted", 5),
        ]:
            s.add(
                Enrolment(
                    course_id="c1",
                    username=name,
                    cohort_id=cohort.id,
                    status=status,
                    enrolled_at=NOW - days * DAY,
                )
            )
        s.add(
            QuizRecord(
                course_id="c1",
                quiz_id="week1-quiz",
                module_id="week1",
                title="Quiz",
                questions=[{"id": "q1", "points": 1}, {"id": "q2", "points": 1}],
                key={},
                source_hash="h",
            )
        )
        s.flush()
        # ana: a1 failed then passed (8/10), a2 passed at exactly 60%, the quiz twice (best 2/2)
        _submission(s, "ana", "a1", 1, NOW - 15 * DAY, 4.0)
        _submission(s, "ana", "a1", 2, NOW - 12 * DAY, 8.0)
        _submission(s, "ana", "a2", 1, NOW - 6 * DAY, 6.0)
        for attempt, (days, score) in enumerate([(8, 1.0), (5, 2.0)], start=1):
            s.add(
                QuizAttempt(
                    course_id="c1",
                    quiz_id="week1-quiz",
                    username="ana",
                    attempt=attempt,
                    submitted_at=NOW - days * DAY,
                    answers={},
                    results={},
                    score=score,
                    max_score=2.0,
                )
            )
        # bo: a1 10/10; a later attempt under review does not count yet
        _submission(s, "bo", "a1", 1, NOW - 9 * DAY, 10.0)
        _submission(s, "bo", "a1", 2, NOW - 8 * DAY, 0.0, state="review")
        # dee's work never counts: she unenrolled
        _submission(s, "dee", "a1", 1, NOW - 9 * DAY, 10.0)

        _event(s, "ana", "connect", NOW - 3 * DAY)
        _event(s, "ana", "connect", NOW - 40 * DAY)
        _event(s, "ana", "active", NOW - 3 * DAY, "week1", seconds=600)
        _event(s, "ana", "active", NOW - 3 * DAY, "week2", seconds=300)
        _event(s, "ana", "active", NOW - 2 * DAY, None, seconds=60)
        _event(s, "ana", "execute", NOW - 2 * DAY, "week1", count=5)
        _event(s, "ana", "connect", NOW - DAY, course="other")  # another course
        _event(s, "bo", "connect", NOW - 20 * DAY)
        _event(s, "bo", "active", NOW - 20 * DAY, "week1", seconds=120)
        _event(s, "cy", "connect", NOW - 40 * DAY)
        _event(s, "dee", "connect", NOW - DAY)
        _event(s, "dee", "active", NOW - DAY, "week1", seconds=9999)
    return database


def test_learner_lines_measure_activity_work_score_and_completion(school):
    with school.session(readonly=True) as s:
        rows = {r["username"]: r for r in reports.learner_report(s, "c1", now=NOW, certificates={})}
    assert sorted(rows) == ["ana", "bo", "cy"]  # unenrolled and waitlisted left out
    ana, bo, cy = rows["ana"], rows["bo"], rows["cy"]
    assert ana["cohort"] == "spring" and cy["cohort"] == "autumn"
    assert ana["last_activity"] == (NOW - 2 * DAY).isoformat()
    assert (ana["active_7d"], ana["active_30d"]) == (True, True)
    assert (bo["active_7d"], bo["active_30d"]) == (False, True)
    assert (cy["active_7d"], cy["active_30d"]) == (False, False)
    assert (ana["connections"], bo["connections"], cy["connections"]) == (2, 1, 1)
    # 600 + 300 + 60 seconds; the module-less minute counts in the total only
    assert (ana["minutes_total"], ana["minutes_week1"], ana["minutes_week2"]) == (16.0, 10.0, 5.0)
    assert (bo["minutes_week1"], bo["minutes_week2"]) == (2.0, 0.0)
    # 100 * (0.8 * (8 + 6) / 20 + 0.2 * 2 / 2); bo: 100 * 0.8 * 10 / 20 (the review does not count)
    assert ana["score"] == 76.0 and bo["score"] == 40.0 and cy["score"] is None
    assert (ana["assignments_passed"], ana["assignments"], ana["quizzes_attempted"]) == (2, 2, 1)
    assert ana["completed"] is True and bo["completed"] is False and cy["completed"] is False
    # done when the last piece arrived: a2 six days ago (the quiz was first tried eight days ago)
    assert ana["completed_at"] == (NOW - 6 * DAY).isoformat()
    assert ana["days_to_complete"] == 14.0 and bo["days_to_complete"] is None
    # nobody wrote in the discussions; no certificate issued yet
    assert (ana["discussion_messages"], ana["discussion_connections"]) == (0, 0)
    assert ana["certificates"] == 0
    with school.session(readonly=True) as s:
        assert list(ana) == reports.learner_columns(reports.report_plan(s, "c1"))


def test_cohort_report_aggregates_per_cohort_and_in_total(school):
    with school.session(readonly=True) as s:
        report = reports.cohort_report(s, "c1", now=NOW, certificates={})
    rows = {r["cohort"]: r for r in report["cohorts"]}
    assert [r["cohort"] for r in report["cohorts"]] == ["spring", "autumn"]
    spring, autumn, total = rows["spring"], rows["autumn"], report["total"]
    assert (spring["enrolled"], spring["active_7d"], spring["active_30d"]) == (2, 1, 2)
    assert (spring["completed"], spring["completion_rate"]) == (1, 50.0)
    assert spring["median_days_to_complete"] == 14.0
    assert spring["connections"] == 3
    assert (spring["minutes_total"], spring["minutes_week1"], spring["minutes_week2"]) == (
        18.0,
        12.0,
        5.0,
    )
    assert (spring["graded_learners"], spring["grade_average"]) == (2, 58.0)
    buckets = {k: v for k, v in spring.items() if k.startswith("grades_") and v}
    assert buckets == {"grades_70_80": 1, "grades_40_50": 1}
    assert (spring["discussion_messages"], spring["certificates_issued"]) == (0, 0)
    assert spring["median_minutes_to_first_answer"] is None
    assert (autumn["enrolled"], autumn["active_30d"], autumn["completed"]) == (1, 0, 0)
    assert autumn["completion_rate"] == 0.0 and autumn["grade_average"] is None
    assert autumn["median_days_to_complete"] is None
    assert total["cohort"] == reports.ALL_COHORTS
    assert (total["enrolled"], total["completed"], total["completion_rate"]) == (3, 1, 33.3)
    assert (total["connections"], total["grade_average"], total["minutes_total"]) == (4, 58.0, 18.0)
    assert all(list(r) == report["columns"] for r in [*report["cohorts"], total])


def test_restricted_to_cohorts_and_to_one_learner(school):
    with school.session(readonly=True) as s:
        autumn = reports.cohort_report(s, "c1", cohorts={"autumn"}, now=NOW)
        learners = reports.learner_report(s, "c1", cohorts={"autumn"}, now=NOW)
        own = reports.learner_report(s, "c1", username="bo", now=NOW)
        nobody = reports.learner_report(s, "c1", username="dee", now=NOW)
    assert [r["cohort"] for r in autumn["cohorts"]] == ["autumn"]
    assert autumn["total"]["enrolled"] == 1 and autumn["total"]["connections"] == 1
    assert [r["username"] for r in learners] == ["cy"]
    assert [r["username"] for r in own] == ["bo"] and own[0]["score"] == 40.0
    assert nobody == []  # an unenrolled learner has no line


def test_certificates_issued_count_unless_revoked(school):
    def certificate(id_, course, who, revoked=None):
        return Certificate(
            id=id_,
            course_id=course,
            number=int(id_),
            username=who,
            learner_name=who,
            course_title=course,
            format="mooc",
            hours=1.0,
            issued_by="test",
            revoked_at=revoked,
        )

    with school.session() as s:
        s.add(
            CourseRecord(
                id="other", title="Other", format="mooc", pedagogy="xmooc", data={}, source_hash="h"
            )
        )
        s.flush()
        s.add_all(
            [
                certificate("1", "c1", "ana"),
                certificate("2", "c1", "bo", revoked=NOW),
                certificate("3", "other", "cy"),
            ]
        )
    with school.session(readonly=True) as s:
        per_learner = issued_per_learner(s, "c1")
        assert per_learner == {"ana": 1}
        lines = {
            r["username"]: r["certificates"]
            for r in reports.learner_report(s, "c1", certificates=per_learner)
        }
        report = reports.cohort_report(s, "c1", certificates=issued_per_cohort(s, "c1"))
    assert lines == {"ana": 1, "bo": 0, "cy": 0}
    assert [r["certificates_issued"] for r in report["cohorts"]] == [1, 0]
    assert report["total"]["certificates_issued"] == 1


def test_discussion_plot_per_cohort():
    from nbcampus.service.pages.report import plot_discussion

    quiet = {"discussion_messages": 0, "questions_asked": 0, "questions_answered": 0}
    assert plot_discussion([{"cohort": "spring", **quiet, "sessions_attended": 0}]) == ""
    busy = {"cohort": "spring", **quiet, "discussion_messages": 7, "sessions_attended": None}
    svg = plot_discussion([busy, {"cohort": "autumn", **quiet}])
    assert svg.startswith("<svg") and "messages" in svg and "autumn" in svg


def test_unknown_course_and_cohort_are_not_found(school):
    from nbcampus.school.core.errors import NotFound

    with school.session(readonly=True) as s:
        with pytest.raises(NotFound, match="no course 'nope'"):
            reports.cohort_report(s, "nope")
        with pytest.raises(NotFound, match="c1 has no cohort 'winter'"):
            reports.cohort_id_of(s, "c1", "winter")


def test_report_page_plots_and_escapes(school):
    from nbcampus.service.pages.report import gather, render

    with school.session() as s:
        s.add(Enrolment(course_id="c1", username="<b>zed</b>", status="enrolled"))
    with school.session(readonly=True) as s:
        data = gather(s, "c1", "spring", None)
    page = render(data, "/services/nbcampus/api/", "spring")
    assert page.count("<svg") == 3  # cohorts, time per module, grade distribution
    assert "Course &lt;1&gt;" in page and "Course <1>" not in page
    assert "Discussion: 0 messages, 0 questions" in page
    assert "No discussion yet." in page  # no plot of nothing
    assert "/services/nbcampus/api/courses/c1/report/learners?format=csv&amp;cohort=spring" in page
    with school.session(readonly=True) as s:
        everyone = render(gather(s, "c1", None, None), "/api/", None)
    assert "&lt;b&gt;zed&lt;/b&gt;" in everyone and "<b>zed</b>" not in everyone
    # times read as times: no ISO "T", no microseconds
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", everyone)


# -- scopes and settings ---------------------------------------------------------------------


def test_permissions_whole_course_or_granted_cohorts():
    whole = Permissions("m", ["custom:nbcampus:report:c1"])
    one = Permissions("m", ["custom:nbcampus:report:c1:spring"])
    teacher = Permissions("t", ["custom:nbcampus:teach:c1"])
    assert whole.report_cohorts("c1") is None and teacher.report_cohorts("c1") is None
    assert one.report_cohorts("c1") == {"spring"} and not one.can("report", "c1")
    assert one.report_cohorts("c2") == frozenset() and whole.report_cohorts("c2") == frozenset()


def test_training_manager_grants_become_cohort_roles(tmp_path):
    from nbcampus.course.model import Course
    from nbcampus.hub.configurer import configure_hub
    from nbcampus.hub.settings import CampusSettings

    runs = {"mode": "cohort", "runs": [{"id": "spring"}, {"id": "autumn"}]}
    courses = {"c1": Course(tmp_path, {**COURSE, "instructors": [], "pacing": runs})}
    settings = CampusSettings(
        state_dir=str(tmp_path),
        training_managers={"li": ["c1/spring"], "maria": ["c1"], "old": ["c1/gone", "nope"]},
    )
    c = configure_hub(Config(), settings, courses)
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["nbcampus-manager-c1"]["users"] == ["maria"]
    assert roles["nbcampus-manager-c1.spring"] == {
        "name": "nbcampus-manager-c1.spring",
        "scopes": ["custom:nbcampus:report:c1:spring"],
        "users": ["li"],
    }
    assert "nbcampus-manager-c1.autumn" not in roles  # nobody granted
    assert not any("old" in r.get("users", []) for r in roles.values())
    scopes = c.JupyterHub.custom_scopes
    assert scopes["custom:nbcampus:report:c1"]["subscopes"] == [
        "custom:nbcampus:report:c1:spring",
        "custom:nbcampus:report:c1:autumn",
    ]
    # the OAuth tokens of the service may carry the cohort scopes
    assert (
        "custom:nbcampus:report:c1:spring"
        in c.JupyterHub.services[0]["oauth_client_allowed_scopes"]
    )


def test_bad_training_manager_grants_are_refused(tmp_path, monkeypatch):
    from nbcampus.hub.settings import CampusSettings

    with pytest.raises(TraitError, match="grant 'c1/Spring 2027' is neither"):
        CampusSettings(training_managers={"li": ["c1/Spring 2027"]})
    monkeypatch.setenv("NBCAMPUS_TRAINING_MANAGERS", "{not json")
    with pytest.raises(TraitError, match="NBCAMPUS_TRAINING_MANAGERS is not valid JSON"):
        CampusSettings().training_managers  # noqa: B018
    monkeypatch.setenv("NBCAMPUS_TRAINING_MANAGERS", json.dumps({"li": ["c1/a/b"]}))
    with pytest.raises(TraitError, match="'c1/a/b'"):
        CampusSettings().training_managers  # noqa: B018


# -- through a real hub: the campus fixture's manager reads open-mooc and spoc/self-paced ------


@pytest.fixture(scope="module")
def spoc_cohorts(campus):
    """A second cohort of spoc (run-b, in the service DB) with bo; ana in self-paced.

    Written in the database: other tests of this session's campus may have filled spoc's seats."""
    engine = create_engine(campus.db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cohorts (course_id, name) SELECT 'spoc', 'run-b' WHERE NOT EXISTS"
                " (SELECT 1 FROM cohorts WHERE course_id = 'spoc' AND name = 'run-b')"
            )
        )
        for who, cohort in (("ana", "self-paced"), ("bo", "run-b")):
            cohort_id = conn.execute(
                text("SELECT id FROM cohorts WHERE course_id = 'spoc' AND name = :name"),
                {"name": cohort},
            ).scalar_one()
            now = datetime.now(UTC)
            values = {"who": who, "cohort": cohort_id, "now": now}
            updated = conn.execute(
                text(
                    "UPDATE enrolments SET cohort_id = :cohort, status = 'enrolled'"
                    " WHERE course_id = 'spoc' AND username = :who"
                ),
                values,
            )
            if updated.rowcount == 0:
                conn.execute(
                    text(
                        "INSERT INTO enrolments (course_id, username, cohort_id, status, track,"
                        " personal_start, enrolled_at, updated_at)"
                        " VALUES ('spoc', :who, :cohort, 'enrolled', 'audit', :now, :now, :now)"
                    ),
                    values,
                )
    engine.dispose()


@pytest.mark.hub
def test_manager_of_one_cohort_sees_only_that_cohort(campus, spoc_cohorts):
    report = call(campus, "manager", "GET", "courses/spoc/report")
    assert report.status_code == 200, report.text
    assert [r["cohort"] for r in report.json()["cohorts"]] == ["self-paced"]
    learners = call(campus, "manager", "GET", "courses/spoc/report/learners").json()["rows"]
    seen = {r["username"] for r in learners}
    # other tests of this session's campus enrol more people in spoc's self-paced cohort: the
    # manager sees exactly the instructor's self-paced lines, and bo (run-b) is not among them
    everyone = call(campus, "teacher", "GET", "courses/spoc/report/learners").json()["rows"]
    assert seen == {r["username"] for r in everyone if r["cohort"] == "self-paced"}
    assert "ana" in seen and "bo" not in seen
    assert {r["cohort"] for r in learners} == {"self-paced"}
    other = call(campus, "manager", "GET", "courses/spoc/report?cohort=run-b")
    assert other.status_code == 403
    assert other.json()["message"] == "you may not read reports of cohort 'run-b' of course 'spoc'"
    r = call(campus, "manager", "GET", "courses/spoc/report/learners?cohort=run-b")
    assert r.status_code == 403
    # the instructor reads both cohorts
    both = call(campus, "teacher", "GET", "courses/spoc/report").json()
    assert {r["cohort"] for r in both["cohorts"]} == {"self-paced", "run-b"}
    assert both["total"]["enrolled"] == len(seen) + 1  # and bo
    page = requests.get(
        f"{campus.url}services/nbcampus/courses/spoc/report?cohort=run-b",
        headers={"Authorization": f"token {campus.tokens['manager']}"},
        timeout=60,
    )
    assert page.status_code == 403 and page.headers["Content-Type"].startswith("text/html")


@pytest.mark.hub
def test_report_scopes_and_csv(campus):
    assert call(campus, "ana", "POST", "courses/open-mooc/enrolments", json={}).status_code in (
        201,
        409,
    )
    for who in ("manager", "teacher", "admin"):
        assert call(campus, who, "GET", "courses/open-mooc/report").status_code == 200, who
    for who, path in [
        ("ana", "courses/open-mooc/report"),
        ("ana", "courses/open-mooc/report/learners"),
        ("ta", "courses/open-mooc/report"),  # grading is not reporting
        ("manager", "courses/other/report"),
    ]:
        assert call(campus, who, "GET", path).status_code == 403, (who, path)
    assert call(campus, None, "GET", "courses/open-mooc/report").status_code == 401
    missing = call(campus, "teacher", "GET", "courses/open-mooc/report?cohort=nope")
    assert missing.status_code == 404 and "no cohort 'nope'" in missing.json()["message"]
    bad = call(campus, "teacher", "GET", "courses/open-mooc/report?format=xml")
    assert bad.status_code == 400 and "format must be json or csv" in bad.json()["message"]

    r = call(campus, "manager", "GET", "courses/open-mooc/report?format=csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["cohort"] for row in table] == ["self-paced", "(all)"]
    assert table[0]["enrolled"] == table[1]["enrolled"] and int(table[0]["enrolled"]) >= 1
    assert table[0]["discussion_messages"].isdigit()
    r = call(campus, "manager", "GET", "courses/open-mooc/report/learners?format=csv")
    learners = list(csv.DictReader(io.StringIO(r.text)))
    assert "ana" in [row["username"] for row in learners]
    assert list(learners[0]) == r.text.splitlines()[0].split(",")
    assert "minutes_week1" in learners[0] and "last_activity" in learners[0]


@pytest.mark.hub
def test_learner_sees_only_own_progress(campus):
    assert call(campus, "bo", "POST", "courses/open-mooc/enrolments", json={}).status_code in (
        201,
        409,
    )
    r = call(campus, "bo", "GET", "me/progress?course=open-mooc")
    assert r.status_code == 200, r.text
    assert r.json()["username"] == "bo" and r.json()["progress"]["username"] == "bo"
    assert call(campus, "cy", "GET", "me/progress?course=roster-spoc").status_code == 404
    missing = call(campus, "bo", "GET", "me/progress")
    assert missing.status_code == 400 and "give the course" in missing.json()["message"]
