"""Video lessons on the demo school (issue 14): the demo MOOC's week-1 video is served to an
enrolled learner only, in byte ranges a player seeks with, and never a notebook through the same
door; its player page plays it under its own CSP; in a real browser, a learner opens it from the
Courses panel inside JupyterLab, watches it to the end, and the lesson becomes done (the course
home says so too). The share-watched rules are tested on both databases in
tests/service/test_video_lessons.py."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401  (the chromium fixture)
from test_browser_courses import PASSWORD, log_in, open_panel, sign_up

pytestmark = pytest.mark.hub

COURSE = "python-data"
VIDEO = "lessons/week1-intro.webm"
LESSONS = Path(__file__).parents[1] / "courses" / COURSE / "lessons"


def learner(school, enrol: bool = True) -> tuple[str, str]:
    name = f"video-{uuid.uuid4().hex[:6]}"
    sign_up(school, name)
    token = school.user_token(name, school.token("admin"))
    if enrol:
        r = school.api(token, "POST", f"courses/{COURSE}/enrolments", json={})
        assert r.status_code in (200, 201), r.text
    return name, token


def test_the_video_is_served_in_ranges_to_enrolled_learners_only(school):
    _, token = learner(school)
    whole = (LESSONS / "week1-intro.webm").read_bytes()
    r = school.api(token, "GET", f"courses/{COURSE}/videos", params={"file": VIDEO})
    assert r.status_code == 200 and r.content == whole
    assert r.headers["Content-Type"] == "video/webm" and r.headers["Accept-Ranges"] == "bytes"
    r = school.api(
        token,
        "GET",
        f"courses/{COURSE}/videos",
        params={"file": VIDEO},
        headers={"Range": "bytes=1000-1999"},
    )
    assert r.status_code == 206, r.text
    assert r.headers["Content-Range"] == f"bytes 1000-1999/{len(whole)}"
    assert r.content == whole[1000:2000]
    r = school.api(
        token,
        "GET",
        f"courses/{COURSE}/videos",
        params={"file": VIDEO},
        headers={"Range": f"bytes={len(whole)}-"},
    )
    assert r.status_code == 416 and "outside the file" in r.json()["message"]
    captions = school.api(
        token, "GET", f"courses/{COURSE}/videos", params={"file": "lessons/week1-intro.vtt"}
    )
    assert captions.headers["Content-Type"].startswith("text/vtt")
    assert captions.text.startswith("WEBVTT")
    # the same door never gives out a notebook, an exercise source or a file outside the course
    for other in ("lessons/week1-python-basics.ipynb", "source/week1-exercises/exercises.ipynb",
                  "../python-data/lessons/week1-intro.webm", ""):  # fmt: skip
        r = school.api(token, "GET", f"courses/{COURSE}/videos", params={"file": other})
        assert r.status_code == 404, (other, r.status_code)
        assert "is not a video lesson's file" in r.json()["message"]
    _, stranger = learner(school, enrol=False)
    r = school.api(stranger, "GET", f"courses/{COURSE}/videos", params={"file": VIDEO})
    assert r.status_code == 403 and "not enrolled" in r.json()["message"]


def test_the_player_page_plays_the_video_under_its_own_policy(school):
    name, _ = learner(school)
    session = school.login(name, PASSWORD)
    page = f"{school.url}services/nbcampus/courses/{COURSE}/watch"
    r = session.get(page, params={"file": VIDEO}, timeout=60)
    assert r.status_code == 200, r.text[:300]
    csp = r.headers["Content-Security-Policy"]
    assert (
        "media-src 'self'" in csp
        and "script-src 'self'" in csp
        and "unsafe-inline'" not in csp.split("style-src")[0]
    )
    assert "<video id=player controls" in r.text and 'kind="captions"' in r.text
    assert "Watched 0%" in r.text and "Transcript" in r.text and "Values and types" in r.text
    assert "<script src=" in r.text and "<script>" not in r.text  # no inline script
    script = session.get(f"{school.url}services/nbcampus/watch.js", timeout=60)
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert 'kind: "watch"' in script.text
    # the course home lists the video with a link to this page
    home = session.get(f"{school.url}services/nbcampus/courses/{COURSE}/", timeout=60).text
    assert f'href="/services/nbcampus/courses/{COURSE}/watch?file=lessons/week1-intro.webm"' in home
    r = session.get(page, params={"file": "lessons/week1-python-basics.ipynb"}, timeout=60)
    assert r.status_code == 404


@pytest.mark.browser
def test_a_learner_watches_the_video_in_jupyterlab_and_the_lesson_is_done(
    school,
    browser,  # noqa: F811
    output_dir,
):
    name, token = learner(school)
    context, page = log_in(browser, school, name, PASSWORD)
    try:
        panel = open_panel(page)
        row = panel.locator(
            '.nbc-course[data-course="python-data"] .nbc-video[data-title^="Video"]'
        )
        expect(row.locator(".nbc-status")).to_have_text("not started", timeout=60_000)
        row.locator(".nbc-watch").click()
        frame = page.frame_locator("iframe.nbc-page, .nbc-page iframe").first
        video = frame.locator("video#player")
        expect(video).to_be_visible(timeout=60_000)
        # the player is ready when it knows the video's length
        video.evaluate(
            "v => new Promise(ok => v.readyState >= 1 ? ok() : v.addEventListener('loadedmetadata', ok))"
        )
        video.evaluate("v => { v.muted = true; v.playbackRate = 8; }")
        progress = frame.locator("#progress")
        # skip to 35 s and play to the end: the skipped part counts nothing (8.8 s of 43.8)
        video.evaluate("v => { v.currentTime = 35; return v.play(); }")
        expect(progress).to_have_text(re.compile(r"Watched (19|20)%$"), timeout=120_000)
        assert progress.get_attribute("data-status") == "in progress"
        # from the start to the end: the page shows what the school computed, done at 90%
        video.evaluate("v => { v.currentTime = 0; return v.play(); }")
        expect(progress).to_have_attribute("data-status", "done", timeout=120_000)
        expect(progress).to_have_text(re.compile(r"Watched (9\d|100)% · done"))
        page.screenshot(path=str(output_dir / "video-lesson-in-jupyterlab.png"))
    finally:
        context.close()
    r = school.api(token, "GET", "me/activity", params={"course": COURSE})
    line = next(x for x in r.json()["lessons"] if x["file"] == VIDEO)
    assert line["status"] == "done" and line["watched"] >= 0.9
