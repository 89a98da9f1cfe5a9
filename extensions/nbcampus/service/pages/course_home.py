"""The course home: GET /services/nbcampus/courses/{course}/, a learner's page of one course
outside JupyterLab (a phone, a browser): the outline by week with where they stand on each
item, what is due next with the time left, where they left off, their progress and score, the
certificate's rules against their standing, announcements and live sessions. Each item opens in
their JupyterLab in one click.

A thin adapter: every figure is the school's (deadlines after extensions, lesson status, grades
whose feedback is released, best quiz attempts, THE course score, certificate eligibility), read
in one transaction with the caller's Permissions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tornado import web

from nbcampus.course.model import is_video
from nbcampus.school.catalog.api import get_course
from nbcampus.school.certificates import api as certificates
from nbcampus.school.core.api import Permissions, utcnow
from nbcampus.school.deadlines.api import resolve_deadlines
from nbcampus.school.discussion import api as discussion
from nbcampus.school.enrolment.api import (
    find_enrolment,
    has_verified_track,
    my_upgrade,
    redeem,
    upgrade_view,
)
from nbcampus.school.grading.api import my_grades
from nbcampus.school.profiles.api import profile_view
from nbcampus.school.progress.api import learner_report, my_lessons, my_notebooks
from nbcampus.school.quizzes.api import best_attempts, quiz_id_of
from nbcampus.school.rewards import api as rewards
from nbcampus.service.base import PageHandler
from nbcampus.service.pages import course_home_html as views
from nbcampus.service.pages.course_home_rewards import rewards_facts

#: how many items "due next" shows
DUE_NEXT = 3


def _outline(course_data, course_id, deadlines, lessons, submitted, quizzes):
    modules = []
    for module in course_data["modules"]:
        items = []
        for lesson in module.get("lessons", []):
            items.append(
                {
                    "kind": "video" if is_video(lesson) else "lesson",
                    "title": lesson["title"],
                    "path": f"{course_id}/{lesson['file']}",
                    "file": lesson["file"],
                    "status": lessons.get(lesson["file"], "not started"),
                }
            )
        for assignment in module.get("assignments", []):
            line = submitted.get(assignment["id"])
            status = "not submitted"
            if line is not None:
                status = (
                    f"score {line['score']:g} / {line['max_score']:g}"
                    if line.get("feedback_available") and line.get("score") is not None
                    else f"submitted ({line['state']})"
                )
            due = deadlines.get(assignment["id"])
            items.append(
                {
                    "kind": "exercise",
                    "id": assignment["id"],
                    "title": assignment["title"],
                    "path": f"{course_id}/{assignment['id']}",
                    "status": status,
                    "done": line is not None,
                    "due_at": due.due_at if due else None,
                }
            )
        if module.get("quiz"):
            quiz = module["quiz"]
            best = quizzes.get(quiz_id_of(module))
            due = deadlines.get(quiz_id_of(module))
            items.append(
                {
                    "kind": "quiz",
                    "id": quiz_id_of(module),
                    "title": quiz["title"],
                    "path": f"{course_id}/{quiz['file']}",
                    "status": "not attempted" if best is None else f"best {best:g} points",
                    "done": best is not None,
                    "due_at": due.due_at if due else None,
                }
            )
        modules.append(
            {
                "id": module["id"],
                "title": module["title"],
                "week": module.get("week"),
                "items": items,
            }
        )
    return modules


def home_facts(session, permissions: Permissions, course_id: str, now: datetime) -> dict[str, Any]:
    """Everything the course home shows to the enrolled learner ``permissions`` (403 for
    anyone not enrolled, 404 for no such course)."""
    me = permissions.username
    course = get_course(session, course_id)
    enrolment = find_enrolment(session, course_id, me, active=True)
    deadlines = resolve_deadlines(session, course.data, enrolment)
    lessons = {line["file"]: line["status"] for line in my_lessons(session, me, course_id)}
    submitted = {line["assignment_id"]: line for line in my_grades(session, me, course_id)}
    quizzes = best_attempts(session, course_id, [me]).get(me, {})
    modules = _outline(course.data, course_id, deadlines, lessons, submitted, quizzes)
    rewards = certificates.module_rewards(course)
    earned = {
        c.module_id: c.id
        for c in certificates.my_certificates(session, me)
        if c.course_id == course_id and c.module_id and c.revoked_at is None
    }
    for module in modules:
        if module["id"] in rewards:
            module["reward"] = {**rewards[module["id"]], "earned": earned.get(module["id"])}
    dated = [i for m in modules for i in m["items"] if i.get("due_at") and not i["done"]]
    due_next = sorted((i for i in dated if i["due_at"] > now), key=lambda i: i["due_at"])
    worked = my_notebooks(session, me, course_id)
    line = (learner_report(session, course_id, None, me) or [{}])[0]
    rules = certificates.rules(course)
    verdict = certificates.evaluate(session, course, [me]).get(me) if rules["enabled"] else None
    return {
        "course": {"id": course.id, "title": course.title, "format": course.format},
        "track": enrolment.track,
        "verified_track": has_verified_track(course.data),
        "upgrade": upgrade_view(my_upgrade(session, course_id, me)),
        "cohort": enrolment.cohort.name if enrolment.cohort is not None else None,
        "modules": modules,
        "due_next": due_next[:DUE_NEXT],
        "overdue": [i for i in dated if i["due_at"] <= now],
        "resume": max(worked, key=lambda w: w["last_at"], default=None),
        "lessons_done": sum(1 for s in lessons.values() if s == "done"),
        "lessons": len(lessons),
        "score": line.get("score"),
        "completed": line.get("completed"),
        "certificate": None if verdict is None else {"rules": rules, **verdict.to_json()},
        "announcements": discussion.announcements(session, permissions, course_id, limit=3),
        "sessions": discussion.upcoming_sessions(session, permissions, course_id)[:3],
        "now": now,
        "rewards": rewards_facts(session, course_id, me, now),
        # times are shown in the learner's time zone (their profile's; UTC without one)
        "time_zone": profile_view(session, me)["time_zone"],
    }


class CourseHomePage(PageHandler):
    """GET /services/nbcampus/courses/{course}/: the course home of an enrolled learner; POST
    redeems an upgrade code from its form (with the page's ``_xsrf``)."""

    async def prepare(self) -> None:
        if self.request.method == "POST" and "Authorization" not in self.request.headers:
            self.check_xsrf_cookie()  # a cross-site form has no token: 403
        await super().prepare()

    async def show(self, course_id: str, notice: str | None = None, error: str | None = None):
        data = await self.in_db(home_facts, self.permissions, course_id, utcnow())
        data |= {
            "lab": f"/user/{self.username}/",
            "service": self.campus.base_url,
            "xsrf": self.xsrf_form_html(),
            "notice": notice,
            "error": error,
        }
        self.finish_page(views.home_page(data))

    async def get(self, course_id: str) -> None:
        await self.show(course_id)

    async def post(self, course_id: str) -> None:
        choice = self.get_body_argument("leaderboard", "")
        if choice in ("in", "out"):  # the leaderboard's opt-in form
            await self.in_db(rewards.choose, course_id, self.username, choice == "in")
            notice = "You are on the board." if choice == "in" else "You left the board."
            await self.show(course_id, notice=notice)
            return
        code = self.get_body_argument("code", "").strip()
        try:
            if not code:
                raise web.HTTPError(400, "code: type the upgrade code you were given")
            await self.in_db(redeem, course_id, self.username, code[:64], utcnow())
        except web.HTTPError as e:
            if e.status_code not in (400, 409):
                raise
            self.set_status(e.status_code)
            await self.show(course_id, error=e.get_message())
            return
        await self.show(
            course_id, notice="Code accepted: your upgrade awaits identity verification."
        )
