"""The nudges page, /services/nbcampus/courses/{course}/nudges: for the course's teaching
staff, the learners at risk now (the course file's rules) with their reasons and when each was
last nudged, the nudges given (who, why, when, by whom), and a small form that messages one
learner or the whole at-risk list (delivered as a nudge). The same school functions and checks
as ``GET|POST /api/courses/{course}/nudges``; the form carries the hub's ``_xsrf``."""

from __future__ import annotations

from typing import Any

from tornado import web
from tornado.escape import xhtml_escape

from nbcampus.school.core.api import utcnow
from nbcampus.school.notifications import api as notifications
from nbcampus.school.profiles.api import shown_names as display_names
from nbcampus.service.base import PageHandler
from nbcampus.service.pages import html

_FORM = """<form method=post>{xsrf}
<p><label>To <input name=to maxlength=255 size=30 placeholder="a learner's username">
</label> (empty: everyone at risk now)</p>
<p><label>Title <input name=title required maxlength=300 size=50></label></p>
<p><label>Message<br><textarea name=body required maxlength=2000 rows=4 cols=60></textarea>
</label></p><p><button>Send</button></p></form>"""


def render(view: dict[str, Any], names: dict[str, str], xsrf: str, notice: str = "") -> str:
    e = xhtml_escape
    risk = [
        {
            "learner": names[line["username"]],
            "why": " ".join(r["detail"] for r in line["reasons"]),
            "last nudged": line["last_nudged_at"],
        }
        for line in view["at_risk"]
    ]
    given = [
        {
            "when": n["created_at"],
            "learner": names[n["username"]],
            "rule": n["rule"],
            "told": n["title"],
            "by": n["sent_by"] or "the course's rules",
        }
        for n in view["nudges"]
    ]
    rules = ", ".join(f"{k}: {v}" for k, v in view["rules"].items()) or "none in the course file"
    body = (
        f"<h1>Nudges</h1><p>Course <code>{e(view['course'])}</code>; rules: {e(rules)}</p>"
        + (f"<p class=notice role=status>{e(notice)}</p>" if notice else "")
        + f"<section id=at-risk><h2>At risk now ({len(risk)})</h2>{html.table(risk)}</section>"
        + "<section id=message><h2>Message learners</h2>"
        + _FORM.format(xsrf=xsrf)
        + "</section>"
        + f"<section id=given><h2>Nudges given</h2>{html.table(given)}</section>"
    )
    return html.page(f"{view['course']}: nudges", body)


def gather(session, course_id: str):
    view = notifications.nudge_overview(session, course_id, utcnow())
    people = {n["username"] for n in view["nudges"]} | {r["username"] for r in view["at_risk"]}
    return view, display_names(session, people)


class NudgesPage(PageHandler):
    """GET: the page; POST: send the form's message (staff who teach the course)."""

    async def prepare(self) -> None:
        if self.request.method == "POST" and "Authorization" not in self.request.headers:
            self.check_xsrf_cookie()  # a cross-site form has no token: 403
        await super().prepare()

    async def show(self, course_id: str, notice: str = "") -> None:
        self.require("teach", course_id)
        view, names = await self.in_db(gather, course_id)
        self.finish_page(render(view, names, self.xsrf_form_html(), notice))

    async def get(self, course_id: str) -> None:
        await self.show(course_id)

    async def post(self, course_id: str) -> None:
        self.require("teach", course_id)
        to = self.get_body_argument("to", "").strip()
        title = self.get_body_argument("title", "").strip()
        body = self.get_body_argument("body", "").strip()
        if not title or not body:
            raise web.HTTPError(400, "title and message: write both")
        usernames = [to[:255]] if to else None
        sent = await self.in_db(
            notifications.message_learners,
            course_id,
            self.username,
            title[:300],
            body[:2000],
            usernames,
            utcnow(),
        )
        await self.show(course_id, f"Sent to {len(sent['sent_to'])} learner(s).")
