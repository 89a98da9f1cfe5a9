"""Discussion rules on SQLite and PostgreSQL: who sees which threads and posts, posting limits,
moderation (audited), answers, votes, unread counts, mentions, search, cell snapshots."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from nbcampus.course.loader import load_course
from nbcampus.school.core.audit import AuditEvent
from nbcampus.school.core.errors import CampusError, Conflict, Forbidden, NotFound
from nbcampus.school.core.scopes import LEARN, Permissions, course_scope
from nbcampus.school.discussion import api as discussion
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.publishing.catalog import publish_course

COURSE = "forum"
TEACHER = Permissions("teacher", [LEARN, course_scope("teach", COURSE)])
MENTOR = Permissions("mia", [LEARN, course_scope("moderate", COURSE)])


def learner(name: str) -> Permissions:
    return Permissions(name, [LEARN])


@pytest.fixture
def forum(database, make_course):
    """A course in two runs (spring, autumn): ana and bo in spring, cy in autumn; eve is in no
    course; mia mentors."""

    def make(shared: bool = False, course_id: str = COURSE):
        today = date.today()
        runs = [
            {
                "id": "spring",
                "start": str(today - timedelta(days=5)),
                "end": str(today + timedelta(days=60)),
            },
            {
                "id": "autumn",
                "start": str(today + timedelta(days=90)),
                "end": str(today + timedelta(days=150)),
            },
        ]
        extra = {"mentors": ["mia"]}
        if shared:
            extra["discussion"] = {"cohorts": "shared"}
        folder = make_course(course_id, pacing={"mode": "cohort", "runs": runs}, **extra)
        with database.session() as session:
            publish_course(session, load_course(folder))
        for name in ("ana", "bo", "cy"):
            with database.session() as session:
                rules.enrol(session, course_id, rules.Learner(name))
        with database.session() as session:
            rules.move(session, course_id, "cy", "autumn", actor="teacher", reason="later run")
        return database

    return make


def run(database, fn, *args, **kwargs):
    with database.session() as session:
        return fn(session, *args, **kwargs)


def start(database, who, title="A question", body="How?", **kwargs):
    return run(database, discussion.start_thread, who, COURSE, title=title, body=body, **kwargs).id


def titles(database, who, **filters):
    listing = run(database, discussion.list_threads, who, COURSE, **filters)
    return sorted(t["title"] for t in listing["threads"])


def test_divided_course_shows_a_learner_their_cohort_and_course_wide_threads(forum):
    db = forum()
    start(db, learner("ana"), "spring talk")
    start(db, learner("cy"), "autumn talk")
    start(db, TEACHER, "welcome all")
    assert titles(db, learner("bo")) == ["spring talk", "welcome all"]
    assert titles(db, learner("cy")) == ["autumn talk", "welcome all"]
    assert titles(db, TEACHER) == ["autumn talk", "spring talk", "welcome all"]
    # opening another cohort's thread by id: as if it did not exist
    autumn = run(db, discussion.list_threads, learner("cy"), COURSE)["threads"]
    autumn_id = next(t["id"] for t in autumn if t["title"] == "autumn talk")
    with pytest.raises(NotFound, match=f"no thread {autumn_id}"):
        run(db, discussion.open_thread, learner("ana"), autumn_id)
    with pytest.raises(NotFound):
        run(db, discussion.reply, learner("ana"), autumn_id, "hello")


def test_staff_may_address_one_cohort(forum):
    db = forum()
    start(db, TEACHER, "for autumn", cohort="autumn")
    assert titles(db, learner("ana")) == []
    assert titles(db, learner("cy")) == ["for autumn"]
    with pytest.raises(Forbidden, match="only staff choose the cohort"):
        start(db, learner("ana"), cohort="autumn")


def test_shared_course_shows_every_cohort(forum):
    db = forum(shared=True)
    start(db, learner("ana"), "spring talk")
    start(db, learner("cy"), "autumn talk")
    assert titles(db, learner("bo")) == ["autumn talk", "spring talk"]


def test_someone_not_in_the_course_sees_and_writes_nothing(forum):
    db = forum()
    thread = start(db, learner("ana"))
    with pytest.raises(Forbidden, match="eve is not in course 'forum'"):
        run(db, discussion.list_threads, learner("eve"), COURSE)
    with pytest.raises(Forbidden):
        start(db, learner("eve"))
    with pytest.raises(Forbidden):
        run(db, discussion.reply, learner("eve"), thread, "hi")


def test_private_question_is_seen_by_its_author_and_staff_only(forum):
    db = forum(shared=True)
    private = start(db, learner("ana"), "my grade?", kind="question", private=True)
    assert titles(db, learner("bo")) == []
    assert titles(db, learner("ana")) == ["my grade?"]
    assert titles(db, MENTOR) == ["my grade?"]
    with pytest.raises(NotFound):
        run(db, discussion.open_thread, learner("bo"), private)
    with pytest.raises(CampusError, match="only a question can be private"):
        start(db, learner("ana"), private=True)
    # the staff queue of unanswered private questions, with their age
    queue = run(db, lambda s: discussion.private_queue(s, discussion.viewer(s, TEACHER, COURSE)))
    assert [(q["thread_id"], q["author"]) for q in queue] == [(private, "ana")]
    assert queue[0]["age_seconds"] >= 0
    with pytest.raises(Forbidden):
        run(db, lambda s: discussion.private_queue(s, discussion.viewer(s, learner("bo"), COURSE)))
    run(db, discussion.reply, TEACHER, private, "Here is how.")
    assert (
        run(db, lambda s: discussion.private_queue(s, discussion.viewer(s, TEACHER, COURSE))) == []
    )


def test_hidden_post_is_kept_for_staff_and_never_reaches_learners(forum):
    db = forum()
    thread = start(db, learner("ana"))
    _, bad = run(db, discussion.reply, learner("bo"), thread, "spam spam")
    bad_id = bad.id
    _, comment = run(db, discussion.reply, learner("ana"), thread, "under spam", parent_id=bad_id)

    def hide(session, hidden=True):
        who, t, post = discussion.find_post(session, MENTOR, bad_id)
        discussion.hide(session, who, post, t, hidden, "advertising")

    run(db, hide)
    seen = run(db, discussion.open_thread, learner("ana"), thread)
    assert [p["body"] for p in seen["posts"]] == ["How?"]  # the comment went with its reply
    assert seen["replies"] == 0
    staff = run(db, discussion.open_thread, TEACHER, thread)
    hidden = next(p for p in staff["posts"] if p["id"] == bad_id)
    assert hidden["hidden"] and hidden["hide_reason"] == "advertising"
    assert hidden["hidden_by"] == "mia"
    assert comment.id in [p["id"] for p in staff["posts"]]
    with pytest.raises(NotFound):
        run(db, discussion.vote, learner("ana"), bad_id, 1)
    with pytest.raises(Conflict, match="already hidden"):
        run(db, hide)
    with pytest.raises(Forbidden, match="only mentors and staff may hide"):
        run(db, lambda s: discussion.hide(s, *_as(s, learner("ana"), thread, bad_id), True, "x"))
    audit = run(
        db,
        lambda s: [
            (a.actor, a.action, a.subject, a.reason)
            for a in s.scalars(select(AuditEvent).where(AuditEvent.action.like("discussion.%")))
        ],
    )
    assert audit == [("mia", "discussion.hide", "bo", "advertising")]


def _as(session, who, thread_id, post_id):
    viewer = discussion.viewer(session, who, COURSE)
    post = session.get(discussion.Post, post_id)
    return viewer, post, session.get(discussion.Thread, thread_id)


def test_hiding_an_opening_post_hides_the_thread_from_learners(forum):
    db = forum()
    thread = start(db, learner("ana"), "bad title")
    opening = run(db, discussion.open_thread, TEACHER, thread)["posts"][0]["id"]

    def hide(session):
        who, t, post = discussion.find_post(session, TEACHER, opening)
        discussion.hide(session, who, post, t, True, "abuse")

    run(db, hide)
    assert titles(db, learner("bo")) == []
    assert titles(db, TEACHER) == ["bad title"]
    with pytest.raises(NotFound):
        run(db, discussion.open_thread, learner("bo"), thread)


def test_two_levels_of_posts(forum):
    db = forum()
    thread = start(db, learner("ana"))
    _, answer = run(db, discussion.reply, learner("bo"), thread, "a reply")
    _, comment = run(db, discussion.reply, learner("ana"), thread, "a comment", parent_id=answer.id)
    with pytest.raises(CampusError, match="two levels only"):
        run(db, discussion.reply, learner("bo"), thread, "deeper", parent_id=comment.id)
    with pytest.raises(CampusError, match="has no post 999999"):
        run(db, discussion.reply, learner("bo"), thread, "x", parent_id=999999)
    posts = run(db, discussion.open_thread, learner("bo"), thread)["posts"]
    assert [(p["depth"], p["parent_id"]) for p in posts] == [(0, None), (1, None), (2, answer.id)]


def test_closed_thread_takes_no_posts_and_closing_needs_a_reason(forum):
    db = forum()
    thread = start(db, learner("ana"))
    with pytest.raises(CampusError, match="closing a thread needs a reason"):
        run(db, discussion.update_thread, MENTOR, thread, {"closed": True})
    with pytest.raises(Forbidden, match="only mentors and staff may close"):
        run(db, discussion.update_thread, learner("ana"), thread, {"closed": True, "reason": "x"})
    run(db, discussion.update_thread, MENTOR, thread, {"closed": True, "reason": "solved"})
    with pytest.raises(Conflict, match="is closed: solved"):
        run(db, discussion.reply, learner("bo"), thread, "late")
    run(db, discussion.update_thread, MENTOR, thread, {"pinned": True})
    listed = run(db, discussion.list_threads, learner("bo"), COURSE)["threads"][0]
    assert listed["closed"] and listed["pinned"] and listed["close_reason"] == "solved"
    actions = run(
        db,
        lambda s: [
            a.action
            for a in s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.like("discussion.%"))
                .order_by(AuditEvent.id)
            )
        ],
    )
    assert actions == ["discussion.close", "discussion.pin"]


def test_a_refused_change_leaves_the_thread_as_it_was(forum):
    db = forum()
    thread = start(db, learner("ana"), "original")
    # the author may edit but not pin: nothing of the PATCH applies
    with pytest.raises(Forbidden):
        run(db, discussion.update_thread, learner("ana"), thread, {"title": "new", "pinned": True})
    seen = run(db, discussion.open_thread, learner("ana"), thread)
    assert seen["title"] == "original" and not seen["pinned"]


def test_author_edits_keep_their_history(forum):
    db = forum()
    thread = start(db, learner("ana"), "typo", "fisrt text")
    with pytest.raises(Forbidden, match="only ana may edit"):
        run(db, discussion.update_thread, learner("bo"), thread, {"body": "mine now"})
    run(
        db,
        discussion.update_thread,
        learner("ana"),
        thread,
        {"title": "fixed", "body": "first text"},
    )
    seen = run(db, discussion.open_thread, learner("ana"), thread)
    assert seen["title"] == "fixed" and seen["posts"][0]["body"] == "first text"
    assert seen["posts"][0]["edits"] == 1 and seen["posts"][0]["edited_at"]
    past = run(db, discussion.history, MENTOR, seen["posts"][0]["id"])
    assert [(h["title"], h["body"]) for h in past] == [("typo", "fisrt text")]
    with pytest.raises(Forbidden):
        run(db, discussion.history, learner("bo"), seen["posts"][0]["id"])


def test_votes_and_accepted_answers(forum):
    db = forum()
    thread = start(db, learner("ana"), kind="question")
    _, answer = run(db, discussion.reply, learner("bo"), thread, "try this")
    assert run(db, discussion.vote, learner("ana"), answer.id, 1).votes == 1
    assert run(db, discussion.vote, TEACHER, answer.id, -1).votes == 0
    assert run(db, discussion.vote, TEACHER, answer.id, 1).votes == 2  # a vote changed, not added
    assert run(db, discussion.vote, TEACHER, answer.id, 0).votes == 1
    with pytest.raises(Forbidden, match="your own post"):
        run(db, discussion.vote, learner("bo"), answer.id, 1)
    with pytest.raises(Forbidden, match="only ana or staff may accept"):
        run(db, discussion.accept, learner("bo"), answer.id, True)
    run(db, discussion.accept, learner("ana"), answer.id, True)
    seen = run(db, discussion.open_thread, learner("bo"), thread)
    assert seen["accepted_post_id"] == answer.id and seen["answered"]
    talk = start(db, learner("ana"), kind="discussion")
    _, post = run(db, discussion.reply, learner("bo"), talk, "an opinion")
    with pytest.raises(CampusError, match="only questions have answers"):
        run(db, discussion.accept, TEACHER, post.id, True)


def test_filters_search_follow_and_unanswered(forum):
    db = forum()
    first = start(
        db, learner("ana"), "Loops in Python", "for and while", kind="question", module="week1"
    )
    start(db, learner("ana"), "Exercise help", "double(x) fails", kind="question", item="ex1")
    start(db, learner("bo"), "Hello", "nice to meet 100%_of you", kind="discussion")
    assert titles(db, learner("bo"), module="week1") == ["Exercise help", "Loops in Python"]
    assert titles(db, learner("bo"), item="ex1") == ["Exercise help"]
    assert titles(db, learner("bo"), kind="discussion") == ["Hello"]
    assert titles(db, learner("bo"), q="WHILE") == ["Loops in Python"]
    assert titles(db, learner("bo"), q="100%_") == ["Hello"]  # LIKE wildcards are plain text
    assert titles(db, learner("bo"), q="%") == ["Hello"]
    assert titles(db, learner("bo"), unanswered=True) == ["Exercise help", "Loops in Python"]
    run(db, discussion.reply, learner("bo"), first, "use range")
    assert titles(db, learner("cy"), unanswered=True) == []  # other cohort: sees neither
    assert titles(db, learner("bo"), unanswered=True) == ["Exercise help"]
    assert titles(db, learner("bo"), followed=True) == ["Hello", "Loops in Python"]
    run(db, discussion.set_following, learner("bo"), first, False)
    assert titles(db, learner("bo"), followed=True) == ["Hello"]
    with pytest.raises(CampusError, match="has no module 'week9'"):
        start(db, learner("ana"), module="week9")
    with pytest.raises(CampusError, match="has no item 'nope'"):
        start(db, learner("ana"), item="nope")


def test_unread_counts_per_learner(forum):
    db = forum()
    thread = start(db, learner("ana"))
    assert run(db, discussion.list_threads, learner("ana"), COURSE)["unread"] == 0
    assert run(db, discussion.list_threads, learner("bo"), COURSE)["unread"] == 1
    run(db, discussion.reply, learner("bo"), thread, "one")
    run(db, discussion.reply, TEACHER, thread, "two")
    listing = run(db, discussion.list_threads, learner("ana"), COURSE)
    assert listing["unread"] == 2 and listing["threads"][0]["unread"] == 2
    assert run(db, discussion.read_thread, learner("ana"), thread) == 0
    assert run(db, discussion.list_threads, learner("bo"), COURSE)["unread"] == 1


def test_mentions_keep_course_members_only(forum):
    db = forum()
    thread = start(db, learner("ana"), body="@bo and @mia, see @eve and mail x@bo.example")
    posts = run(db, discussion.open_thread, learner("ana"), thread)["posts"]
    assert posts[0]["mentions"] == ["bo", "mia"]


def test_mute_and_rate_limit(forum):
    db = forum()
    thread = start(db, learner("ana"))

    def mute(session, who, username, minutes=30):
        discussion.mute(session, discussion.viewer(session, who, COURSE), username, minutes, "rude")

    with pytest.raises(Forbidden):
        run(db, mute, learner("ana"), "bo")
    run(db, mute, MENTOR, "bo")
    with pytest.raises(Forbidden, match="bo is muted in course 'forum' until"):
        run(db, discussion.reply, learner("bo"), thread, "let me speak")
    limit = discussion.RateLimit(posts=3, seconds=60)
    run(db, discussion.reply, learner("ana"), thread, "2", limit=limit)
    run(db, discussion.reply, learner("ana"), thread, "3", limit=limit)
    with pytest.raises(discussion.TooManyPosts, match="at most 3 posts in 60 s") as refused:
        run(db, discussion.reply, learner("ana"), thread, "4", limit=limit)
    assert refused.value.status == 429
    for _ in range(4):  # moderators are not limited
        run(db, discussion.reply, MENTOR, thread, "noted", limit=limit)
    assert ("mia", "discussion.mute", "bo") in run(
        db, lambda s: [(a.actor, a.action, a.subject) for a in s.scalars(select(AuditEvent))]
    )


class Elements(HTMLParser):
    """The elements and attributes of an HTML fragment (what a browser would make live)."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_markdown_is_rendered_inert():
    html = discussion.render(
        "# Title\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> <b onclick="x()">bold</b>\n\n'
        "[data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://example.org) "
        "[js](JaVaScRiPt:alert(1)) ![pic](javascript:alert(1))\n\n"
        "<iframe src=https://evil.example></iframe>\n\n"
        "```python\nprint('<hi>')\n```\n"
    )
    elements = Elements(html).found
    tags = {tag for tag, _ in elements}
    assert tags <= {"h1", "p", "a", "pre", "code"}, tags
    assert [a for _, a in elements if any(k.startswith("on") for k in a)] == []
    links = [a["href"] for tag, a in elements if tag == "a"]
    assert links == ["https://example.org"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the raw HTML is shown as text
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">ok</a>' in html
    assert "<pre><code class=\"language-python\">print('&lt;hi&gt;')" in html


def test_cell_snapshot_keeps_what_the_learner_saw_and_never_hidden_tests(forum):
    db = forum()
    cell = {
        "cell_type": "code",
        "source": ["def double(x):\n", "    return x + x\n"],
        "execution_count": 3,
        "metadata": {"secret": "dropped"},
        "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "4\n"},
            {
                "output_type": "execute_result",
                "data": {"text/plain": "4", "text/html": "<script>"},
                "execution_count": 3,
                "metadata": {},
            },
            {"output_type": "error", "ename": "AssertionError", "evalue": "", "traceback": ["..."]},
        ],
        "notebook": "ex1/ex1.ipynb",
        "cell_id": "abc",
    }
    thread = start(db, learner("ana"), kind="question", item="ex1", cell=cell)
    kept = run(db, discussion.open_thread, MENTOR, thread)["cell"]
    assert kept["source"] == "def double(x):\n    return x + x\n"
    assert kept["outputs"][1] == {"output_type": "execute_result", "data": {"text/plain": "4"}}
    assert "metadata" not in kept and kept["notebook"] == "ex1/ex1.ipynb"
    hidden = dict(
        cell, source="assert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(3) == 6"
    )
    with pytest.raises(CampusError, match="hidden tests"):
        start(db, learner("ana"), kind="question", cell=hidden)
    marked = dict(cell, metadata={"nbgrader": {"grade": True, "solution": False, "hidden": True}})
    with pytest.raises(CampusError, match="hidden tests"):
        start(db, learner("ana"), kind="question", cell=marked)
    with pytest.raises(CampusError, match="over 20000 characters"):
        start(db, learner("ana"), kind="question", cell=dict(cell, source="x" * 20_001))
    big = dict(cell, outputs=[{"output_type": "stream", "name": "stdout", "text": "y" * 150_000}])
    with pytest.raises(CampusError, match="over 100000 bytes") as refused:
        start(db, learner("ana"), kind="question", cell=big)
    assert refused.value.status == 413
    with pytest.raises(CampusError, match="outputs\\[0\\].output_type"):
        start(db, learner("ana"), kind="question", cell=dict(cell, outputs=[{"output_type": "x"}]))
    # nothing half-written: the refused threads left no trace
    assert titles(db, TEACHER) == ["A question"]


# -- roles from the course file ----------------------------------------------------------------


def test_mentors_and_community_managers_get_course_roles(make_course, tmp_path):
    from traitlets.config import Config

    from nbcampus.course.check import check_course
    from nbcampus.hub.configurer import configure_hub
    from nbcampus.hub.settings import CampusSettings

    folder = make_course(
        COURSE, mentors=["mia"], community_managers=["cm"], discussion={"cohorts": "shared"}
    )
    assert check_course(folder) == []
    c = configure_hub(
        Config(), CampusSettings(state_dir=str(tmp_path)), {COURSE: load_course(folder)}
    )
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles[f"nbcampus-mentor-{COURSE}"]["scopes"] == [course_scope("moderate", COURSE)]
    assert roles[f"nbcampus-mentor-{COURSE}"]["users"] == ["mia"]
    assert roles[f"nbcampus-community-{COURSE}"]["users"] == ["cm"]
    scopes = c.JupyterHub.custom_scopes
    assert course_scope("community", COURSE) in scopes[course_scope("teach", COURSE)]["subscopes"]
    assert scopes[course_scope("community", COURSE)]["subscopes"] == [
        course_scope("moderate", COURSE)
    ]
    # what each may do: mentors moderate but see no submissions nor reports
    mentor = Permissions("mia", [course_scope("moderate", COURSE)])
    manager = Permissions("cm", [course_scope("community", COURSE)])
    ta = Permissions("ta", [course_scope("grade", COURSE)])
    assert mentor.can("moderate", COURSE) and not mentor.can("community", COURSE)
    assert not mentor.can("grade", COURSE) and mentor.staff_courses() == set()
    assert manager.can("moderate", COURSE) and manager.can("community", COURSE)
    assert ta.can("moderate", COURSE) and TEACHER.can("community", COURSE)
    # the panel's Mentoring section: the courses each moderates, and none for a learner
    assert mentor.moderated_courses() == manager.moderated_courses() == {COURSE}
    assert ta.moderated_courses() == {COURSE}
    assert Permissions("ana", [LEARN, course_scope("report", COURSE)]).moderated_courses() == set()


def test_a_bad_discussion_setting_is_refused_with_its_line(make_course):
    from nbcampus.course.check import check_course

    folder = make_course(COURSE, discussion={"cohorts": "everyone"})
    problems = [str(p) for p in check_course(folder)]
    assert len(problems) == 1 and "course.yml:" in problems[0] and "discussion" in problems[0]


# -- measures for the reports --------------------------------------------------------------------


def test_report_figures_count_messages_questions_answers_and_connections(forum):
    from nbcampus.school.progress import api as reports

    db = forum()
    asked = start(db, learner("ana"), "q1", kind="question")
    start(db, learner("ana"), "q2", kind="question")  # never answered
    start(db, learner("cy"), "autumn q", kind="question")
    _, answer = run(db, discussion.reply, learner("bo"), asked, "answer")
    run(db, discussion.reply, TEACHER, asked, "staff note")
    run(db, discussion.reply, learner("ana"), asked, "thanks", parent_id=answer.id)
    _, spam = run(db, discussion.reply, learner("cy"), start(db, TEACHER, "wide"), "spam")

    def backdate(session):
        # the question was asked 30 minutes before its first answer
        thread = session.get(discussion.Thread, asked)
        thread.created_at = thread.answered_at - timedelta(minutes=30)
        who, t, post = discussion.find_post(session, TEACHER, spam.id)
        discussion.hide(session, who, post, t, True, "spam")  # hidden: counts nowhere

    run(db, backdate)
    people = run(db, discussion.learner_figures, COURSE)
    assert people["ana"] == {
        "discussion_messages": 3,
        "questions_asked": 2,
        "questions_answered": 1,
        "discussion_connections": 2,  # bo (answered, commented under) and teacher
        "sessions_attended": 0,
    }
    assert people["bo"]["discussion_connections"] == 1 and people["bo"]["discussion_messages"] == 1
    assert people["cy"] == dict(people["cy"], discussion_messages=1, discussion_connections=0)

    report = run(db, reports.cohort_report, COURSE)
    rows = {r["cohort"]: r for r in report["cohorts"]}
    assert rows["spring"]["discussion_messages"] == 4  # teacher's posts are in no cohort
    assert (rows["spring"]["questions_asked"], rows["spring"]["questions_answered"]) == (2, 1)
    assert rows["spring"]["median_minutes_to_first_answer"] == 30.0
    assert rows["autumn"]["discussion_messages"] == 1
    assert rows["autumn"]["median_minutes_to_first_answer"] is None
    assert report["total"]["questions_asked"] == 3
    assert report["total"]["median_minutes_to_first_answer"] == 30.0
    only_autumn = run(db, reports.cohort_report, COURSE, ["autumn"])
    assert only_autumn["total"]["discussion_messages"] == 1
    lines = {r["username"]: r for r in run(db, reports.learner_report, COURSE)}
    assert lines["ana"]["discussion_connections"] == 2 and lines["bo"]["questions_asked"] == 0


def test_migration_0008_goes_down_and_up_again(database_url):
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from nbcampus.school.core.db import alembic_config, upgrade

    def tables():
        engine = create_engine(database_url)
        try:
            return {
                t
                for t in inspect(engine).get_table_names()
                if "discussion" in t
                or t in ("announcements", "live_sessions", "calendar_keys", "session_attendance")
            }
        finally:
            engine.dispose()

    upgrade(database_url)
    assert len(tables()) == 13
    command.downgrade(alembic_config(database_url), "0007")
    assert tables() == set()
    upgrade(database_url)
    assert len(tables()) == 13


def _thread_rows(db):
    """Each thread's kept counts, and the same counted from its posts."""
    from sqlalchemy import text

    with db.session() as session:
        kept = session.execute(
            text(
                "SELECT id, reply_count, visible_reply_count, last_post_id, opening_hidden"
                " FROM discussion_threads ORDER BY id"
            )
        ).all()
        counted = session.execute(
            text(
                "SELECT t.id,"
                " (SELECT count(*) FROM discussion_posts p WHERE p.thread_id = t.id"
                "  AND p.depth > 0),"
                " (SELECT count(*) FROM discussion_posts p WHERE p.thread_id = t.id"
                "  AND p.depth > 0 AND p.hidden_at IS NULL),"
                " (SELECT max(p.id) FROM discussion_posts p WHERE p.thread_id = t.id),"
                " EXISTS (SELECT 1 FROM discussion_posts p WHERE p.thread_id = t.id"
                "  AND p.depth = 0 AND p.hidden_at IS NOT NULL)"
                " FROM discussion_threads t ORDER BY t.id"
            )
        ).all()
    return [tuple(r[:4]) + (bool(r[4]),) for r in kept], [
        tuple(r[:4]) + (bool(r[4]),) for r in counted
    ]


def test_threads_keep_their_counts_and_migration_0009_goes_down_and_up_again(forum):
    from alembic import command

    from nbcampus.school.core.db import alembic_config, upgrade

    db = forum()
    talk = start(db, learner("ana"), "talk")
    _, answer = run(db, discussion.reply, learner("bo"), talk, "a reply")
    run(db, discussion.reply, learner("ana"), talk, "a comment", parent_id=answer.id)
    _, spam = run(db, discussion.reply, learner("bo"), talk, "spam")
    gone = start(db, learner("bo"), "gone")
    gone_opening = run(db, discussion.open_thread, TEACHER, gone)["posts"][0]["id"]

    def hide(session, post_id):
        who, t, post = discussion.find_post(session, MENTOR, post_id)
        discussion.hide(session, who, post, t, True, "spam")

    run(db, hide, spam.id)
    run(db, hide, gone_opening)
    kept, counted = _thread_rows(db)
    assert kept == counted  # write_post and hide keep what the posts say
    assert kept[0][1:3] == (3, 2) and kept[1][4] is True
    listed = run(db, discussion.list_threads, TEACHER, COURSE)["threads"]
    assert {t["title"]: t["replies"] for t in listed} == {"talk": 3, "gone": 0}
    assert [
        t["replies"] for t in run(db, discussion.list_threads, learner("cy"), COURSE)["threads"]
    ] == []
    assert [
        (t["title"], t["replies"])
        for t in run(db, discussion.list_threads, learner("bo"), COURSE)["threads"]
    ] == [("talk", 2)]

    command.downgrade(alembic_config(db.url), "0008")
    upgrade(db.url)  # 0009 again: the counts are backfilled from the posts
    assert _thread_rows(db) == (kept, counted)


def test_unread_counts_after_a_mark_part_of_the_way(forum):
    db = forum()
    thread = start(db, learner("ana"))
    _, first = run(db, discussion.reply, learner("bo"), thread, "one")
    run(db, discussion.reply, TEACHER, thread, "two")
    _, hidden = run(db, discussion.reply, TEACHER, thread, "three")
    other = start(db, learner("bo"), "other")  # bo read it: he wrote it

    def hide(session):
        who, t, post = discussion.find_post(session, MENTOR, hidden.id)
        discussion.hide(session, who, post, t, True, "off topic")

    run(db, hide)
    # ana read up to bo's reply: "two" is unread ("three" is hidden), and all of "other"
    assert run(db, discussion.read_thread, learner("ana"), thread, first.id) == 2
    listing = run(db, discussion.list_threads, learner("ana"), COURSE)
    assert listing["unread"] == 2
    assert {t["id"]: t["unread"] for t in listing["threads"]} == {thread: 1, other: 1}
    assert run(db, discussion.open_thread, learner("ana"), thread)["unread"] == 1
    # mia has read nothing; staff count the hidden post too
    staff = run(db, discussion.list_threads, MENTOR, COURSE)
    assert {t["id"]: t["unread"] for t in staff["threads"]} == {thread: 4, other: 1}
    assert staff["unread"] == 5 and type(staff["unread"]) is int  # not a Decimal (PostgreSQL)


def test_a_training_manager_reads_the_measures_not_the_private_questions(forum):
    db = forum()
    start(db, learner("ana"), "private", kind="question", private=True)
    manager = Permissions("tm", [LEARN, course_scope("report", COURSE)])
    with pytest.raises(Forbidden, match="tm is not in course 'forum'"):
        run(db, discussion.list_threads, manager, COURSE)
