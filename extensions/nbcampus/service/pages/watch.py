"""A video lesson's player page: GET /services/nbcampus/courses/{course}/watch?file=<lesson>,
for a phone or a browser, and the JupyterLab viewer (the panel opens this page in a tab).

The video, its captions and transcript come from the video API (enrolled learners and staff
only); the page's one script, ``watch.js`` (served by the service, no inline script), reports
the stretches the learner actually played in the activity batches and shows the share watched
that the school computed. Seeking plays nothing, so it never counts as watching.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tornado import web
from tornado.escape import xhtml_escape as esc

from nbcampus.course.model import is_external
from nbcampus.school.catalog.api import get_course
from nbcampus.school.discussion.api import render as render_markdown
from nbcampus.school.exchange import api as exchange
from nbcampus.school.exchange.api import LESSONS
from nbcampus.school.progress.api import done_share, is_video_file, my_lessons, video_lesson
from nbcampus.service.base import PageHandler
from nbcampus.service.pages.discussion_html import page

#: the player page may play media and run its own script from the service, nothing else
WATCH_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; media-src 'self' https:; script-src 'self'; "
    "connect-src 'self'; img-src 'self' data:"
)
SCRIPT = Path(__file__).with_name("watch.js")

_STYLE = """<style>video{width:100%;max-height:70vh;background:#000;border-radius:.3rem}
.watched{font-weight:600}.done{color:#2e7d32}details{margin-top:1rem}</style>"""


def watch_facts(session, handler: PageHandler, course_id: str, file: str) -> dict[str, Any]:
    """What the player page shows, for the course's staff or a learner enrolled in it."""
    course = get_course(session, course_id)
    handler.may_read_course(session, course_id)
    username = handler.username
    lesson = video_lesson(course.data, file)
    if lesson is None or not is_video_file(course.data, file):
        raise web.HTTPError(404, f"{file!r} is not a video lesson of {course_id}")
    line = next((x for x in my_lessons(session, username, course_id) if x["file"] == file), {})
    transcript = None
    if "transcript" in lesson:
        release = exchange.current_release(session, course_id, LESSONS)
        if release is not None:
            transcript = release.storage
    return {
        "course": {"id": course.id, "title": course.title},
        "lesson": lesson,
        "watched": line.get("watched", 0.0),
        "status": line.get("status", "not started"),
        "done_at": done_share(lesson),
        "transcript_storage": transcript,
    }


def watch_page(data: dict[str, Any]) -> str:
    lesson, api = data["lesson"], data["api"]
    course_id = data["course"]["id"]

    def media(file: str) -> str:
        if is_external(file):  # a video the course links to: played from its own address
            return esc(file)
        return f"{api}courses/{esc(course_id)}/videos?{esc(urlencode({'file': file}))}"

    track = ""
    if "captions" in lesson:
        track = f'<track kind="captions" srclang="en" label="Captions" default src="{media(lesson["captions"])}">'
    transcript = ""
    if data.get("transcript_html"):
        transcript = f"<details><summary>Transcript</summary>{data['transcript_html']}</details>"
    done = data["status"] == "done"
    body = (
        f'{_STYLE}<nav class=back><a href="{esc(data["home"])}">{esc(data["course"]["title"])}</a></nav>'
        f"<h1>{esc(lesson['title'])}</h1>"
        f'<video id=player controls preload="metadata" playsinline src="{media(lesson["file"])}"'
        f' data-course="{esc(course_id)}" data-file="{esc(lesson["file"])}"'
        f' data-api="{esc(api)}" data-xsrf="{esc(data["xsrf"])}">{track}</video>'
        f'<p id=progress class="watched{" done" if done else ""}" aria-live="polite"'
        f' data-done-at="{data["done_at"]:g}">Watched {data["watched"]:.0%}'
        f"{' · done' if done else ''}</p>"
        f"<p class=meta>The lesson is done once you have watched {data['done_at']:.0%} of it; "
        f"skipping ahead does not count.</p>{transcript}"
        f'<script src="{esc(data["script"])}"></script>'
    )
    return page(lesson["title"], body)


class WatchPage(PageHandler):
    """The player page of one video lesson."""

    async def get(self, course_id: str) -> None:
        file = self.get_query_argument("file", "")
        data = await self.in_db(watch_facts, self, course_id, file)
        storage = data.pop("transcript_storage")
        if storage is not None:
            path = Path(self.campus.exchange_dir) / storage / data["lesson"]["transcript"]
            if path.is_file():
                data["transcript_html"] = render_markdown(path.read_text(errors="replace"))
        base = self.campus.base_url
        data |= {
            "api": f"{base}api/",
            "home": f"{base}courses/{course_id}/",
            "script": f"{base}watch.js",
            "xsrf": self.xsrf_token.decode(),
        }
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", WATCH_CSP)
        self.finish(watch_page(data))


class WatchScript(web.RequestHandler):
    """The player page's script (the same for everyone; no login needed to read it)."""

    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "public, max-age=3600")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(SCRIPT.read_bytes())
