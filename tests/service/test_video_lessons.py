"""Video lessons (issue 14): the course check asks a video for its length and real WebVTT
captions; the share watched is the union of the stretches actually played, cut to the video's
length from the course file, so replaying or a forged stretch past the end adds nothing and a
seek (which plays nothing) never counts; the lesson is done at its ``done_when_watched``
(SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from nbcampus.course import check_course
from nbcampus.course.loader import load_course
from nbcampus.school.core.errors import CampusError
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.progress.api import (
    learner_columns,
    learner_report,
    my_lessons,
    parse_events,
    record_activity,
    report_plan,
)
from nbcampus.school.progress.models import ActivityEvent, VideoWatch
from nbcampus.school.progress.videos import merge
from nbcampus.school.publishing.catalog import publish_course

DEMO_LESSONS = Path(__file__).parents[2] / "courses" / "python-data" / "lessons"
VIDEO = "lessons/intro.webm"


def add_video(folder: Path, **lesson) -> Path:
    for suffix in (".webm", ".vtt", ".md"):
        shutil.copy(DEMO_LESSONS / f"week1-intro{suffix}", folder / "lessons" / f"intro{suffix}")
    data = yaml.safe_load((folder / "course.yml").read_text())
    entry = {"file": VIDEO, "title": "Intro video", "duration": 40} | lesson
    data["modules"][0]["lessons"].insert(0, entry)
    (folder / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


@pytest.fixture
def course(database, make_course):
    folder = add_video(
        make_course("open-mooc"), captions="lessons/intro.vtt", transcript="lessons/intro.md"
    )
    with database.session() as session:
        publish_course(session, load_course(folder))
        rules.enrol(session, "open-mooc", rules.Learner("ana"))
        rules.enrol(session, "open-mooc", rules.Learner("bo"))
    return load_course(folder).data


def watch(database, who: str, *segments) -> None:
    events = parse_events(
        {
            "events": [
                {
                    "course_id": "open-mooc",
                    "kind": "watch",
                    "notebook": f"open-mooc/{VIDEO}",
                    "segments": [list(s) for s in segments],
                }
            ]
        }
    )
    with database.session() as session:
        record_activity(session, who, events)


def video_line(database, who: str) -> dict:
    with database.session() as session:
        return next(x for x in my_lessons(session, who, "open-mooc") if x["file"] == VIDEO)


def test_merge_is_the_union_cut_to_the_video():
    assert merge([(5, 20), (0, 10), (30, 40), (38, 55)], 45) == [(0, 20), (30, 45)]
    assert merge([(50, 60)], 45) == []


def test_the_share_watched_counts_each_second_once_and_a_seek_not_at_all(database, course):
    assert video_line(database, "ana") == {
        "module": "week1",
        "file": VIDEO,
        "status": "not started",
        "watched": 0.0,
    }
    # played the first 10 s, jumped to 30 s and played to the end: the jump counts nothing
    watch(database, "ana", (0, 10), (30, 40))
    line = video_line(database, "ana")
    assert line["status"] == "in progress" and line["watched"] == pytest.approx(0.5)
    # the same stretches again, and one past the end of the 40 s video, add nothing
    watch(database, "ana", (0, 10), (5, 10), (39, 400))
    assert video_line(database, "ana")["watched"] == pytest.approx(0.5)
    # 35.9 of 40 s is just under the 90% the course asks by default
    watch(database, "ana", (10, 25.9))
    assert video_line(database, "ana")["status"] == "in progress"
    watch(database, "ana", (25.9, 26))
    line = video_line(database, "ana")
    assert line["status"] == "done" and line["watched"] == pytest.approx(0.9)
    # another learner's watching is theirs alone
    assert video_line(database, "bo")["status"] == "not started"
    # the report counts the video lessons each learner has done
    with database.session() as session:
        report = {r["username"]: r for r in learner_report(session, "open-mooc")}
        assert "videos_done" in learner_columns(report_plan(session, "open-mooc"))
    assert report["ana"]["videos_done"] == 1 and report["bo"]["videos_done"] == 0
    with database.session() as session:
        rows = session.scalars(select(VideoWatch)).all()
        assert [(r.username, r.watched) for r in rows] == [("ana", 36.0)]
        # the activity log keeps the seconds each batch played, for the reports' time figures
        played = session.scalar(
            select(func.sum(ActivityEvent.seconds)).where(ActivityEvent.kind == "watch")
        )
        assert played == 20 + 16 + 16 + 0  # 10 + 10; 10 + 5 + 1 (cut at 40 s); 15.9; 0.1


def test_the_course_file_sets_the_share_that_makes_a_video_done(database, make_course):
    folder = add_video(make_course("short-mooc"), done_when_watched=0.5)
    with database.session() as session:
        publish_course(session, load_course(folder))
        rules.enrol(session, "short-mooc", rules.Learner("ana"))
        events = parse_events(
            {
                "events": [
                    {
                        "course_id": "short-mooc",
                        "kind": "watch",
                        "notebook": VIDEO,
                        "segments": [[0, 20]],
                    }
                ]
            }
        )
        record_activity(session, "ana", events)
        line = next(x for x in my_lessons(session, "ana", "short-mooc") if x["file"] == VIDEO)
    assert line["status"] == "done"


@pytest.mark.parametrize(
    "event, message",
    [
        ({"kind": "watch", "notebook": VIDEO}, "events[0]: a watch event lists the segments"),
        (
            {"kind": "watch", "notebook": VIDEO, "segments": [[5, 3]]},
            "events[0]: segments[0] must be [start, end] seconds",
        ),
        (
            {"kind": "watch", "notebook": VIDEO, "segments": [[0, True]]},
            "events[0]: segments[0] must be [start, end] seconds",
        ),
        (
            {"kind": "active", "notebook": VIDEO, "segments": [[0, 1]]},
            "events[0]: only a watch event has segments",
        ),
    ],
)
def test_bad_watch_events_say_what_and_where(event, message):
    with pytest.raises(CampusError) as e:
        parse_events({"events": [{"course_id": "open-mooc", **event}]})
    assert str(e.value.message).startswith(message)


def test_only_a_video_lesson_can_be_watched(database, course):
    events = parse_events(
        {
            "events": [
                {
                    "course_id": "open-mooc",
                    "kind": "watch",
                    "notebook": "open-mooc/lessons/lesson1.ipynb",
                    "segments": [[0, 10]],
                }
            ]
        }
    )
    with database.session() as session, pytest.raises(CampusError) as e:
        record_activity(session, "ana", events)
    assert e.value.status == 404 and "is not a video lesson of open-mooc" in e.value.message
    with database.session() as session:  # nothing of the batch was kept
        assert session.scalar(select(func.count()).select_from(ActivityEvent)) == 0


def test_the_course_check_asks_a_video_for_its_length_and_real_captions(make_course):
    folder = add_video(make_course("bad-video"), captions="lessons/intro.md")
    data = yaml.safe_load((folder / "course.yml").read_text())
    del data["modules"][0]["lessons"][0]["duration"]
    data["modules"][0]["lessons"][1]["duration"] = 3  # on a notebook
    (folder / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    (folder / "lessons" / "bad.vtt").write_text("1\n00:00.000 --> 00:01.000\nhello\n")
    messages = [p.message for p in check_course(folder)]
    assert any(
        "modules[0].lessons[0]: video lesson 'lessons/intro.webm' has no duration" in m
        for m in messages
    ), messages
    assert any("captions are a WebVTT (.vtt) file" in m for m in messages), messages
    assert any("'duration' is for video lessons" in m for m in messages), messages
    data["modules"][0]["lessons"][0] |= {"duration": 40, "captions": "lessons/bad.vtt"}
    del data["modules"][0]["lessons"][1]["duration"]
    (folder / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    messages = [p.message for p in check_course(folder)]
    assert messages == ["lessons/bad.vtt: a WebVTT file starts with the line 'WEBVTT'"], messages


EXTERNAL = "https://media.example.org/talks/intro.mp4?lang=en"


def test_a_video_elsewhere_on_the_web_is_linked_checked_and_watched(database, make_course):
    folder = make_course("linked-mooc")
    data = yaml.safe_load((folder / "course.yml").read_text())
    data["modules"][0]["lessons"].append({"file": EXTERNAL, "title": "A talk", "duration": 60})
    (folder / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    assert check_course(folder) == []
    course = load_course(folder)
    assert all(not str(p).startswith("https") for p in course.lesson_files())  # nothing to copy
    with database.session() as session:
        publish_course(session, course)
        rules.enrol(session, "linked-mooc", rules.Learner("ana"))
        # the player names the lesson by its address; a batch's paths are normalised
        events = parse_events(
            {
                "events": [
                    {
                        "course_id": "linked-mooc",
                        "kind": "watch",
                        "notebook": EXTERNAL,
                        "segments": [[0, 57]],
                    }
                ]
            }
        )
        record_activity(session, "ana", events)
        line = next(x for x in my_lessons(session, "ana", "linked-mooc") if x["file"] == EXTERNAL)
        assert line["status"] == "done" and line["watched"] == pytest.approx(0.95)
        assert session.scalar(select(ActivityEvent.module_id)) == "week1"
    from nbcampus.service.pages.watch import watch_page

    page = watch_page(
        {
            "course": {"id": "linked-mooc", "title": "Linked"},
            "lesson": {"file": EXTERNAL, "title": "A talk", "duration": 60},
            "watched": 0.0,
            "status": "not started",
            "done_at": 0.9,
            "api": "/services/nbcampus/api/",
            "home": "/services/nbcampus/courses/linked-mooc/",
            "script": "/services/nbcampus/watch.js",
            "xsrf": "x",
        }
    )
    assert 'src="https://media.example.org/talks/intro.mp4?lang=en"' in page


@pytest.mark.parametrize(
    "entry, message",
    [
        (
            {"file": "http://media.example.org/a.mp4", "title": "t", "duration": 5},
            "is not an https:// address",
        ),
        (
            {"file": "https://media.example.org/watch", "title": "t"},
            "a lesson at an address is a video, and 'https://media.example.org/watch' does not look like one",
        ),
    ],
)
def test_a_linked_lesson_is_an_https_video(make_course, entry, message):
    folder = make_course("linked-bad")
    data = yaml.safe_load((folder / "course.yml").read_text())
    data["modules"][0]["lessons"].append(entry)
    (folder / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    messages = [p.message for p in check_course(folder)]
    assert any(message in m for m in messages), messages
