"""At-risk nudges: the course file's rules (``nudges``: no activity for some days, a missed
deadline, a module not started some days after it opened) find the learners at risk; each is
told once per rule and occasion, with an encouraging word and their next step.

Every fact comes from its owner: activity and lesson status from progress, each learner's own
deadlines (extensions, cohort overrides) from deadlines, a module's opening from the learner's
start and the module's week (deadlines and catalog), submissions from exchange and attempts
from quizzes. The pass records the nudges with one INSERT that skips those already given (a
unique constraint on course, learner, rule and occasion: two replicas running it at once nudge
once), and tells each learner of the nudges new to them in one notification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.course.engagement import nudge_rules
from nbcampus.school.catalog.api import CourseRecord, active_courses
from nbcampus.school.core.api import readable, utcnow
from nbcampus.school.deadlines.api import (
    learner_start,
    module_openings,
    resolve_course_deadlines,
)
from nbcampus.school.enrolment.api import ENROLLED, Enrolment, course_enrolments
from nbcampus.school.exchange.api import Submission
from nbcampus.school.notifications.inbox import notify_many, one_line
from nbcampus.school.notifications.models import NUDGE, Nudge
from nbcampus.school.notifications.reminders import insert_new
from nbcampus.school.progress.api import last_active, lessons_done, started_modules
from nbcampus.school.quizzes.api import best_attempts, quiz_id_of

#: a deadline missed, or a module left unstarted, longer ago than this is no longer news
RECENT = timedelta(days=7)
#: where a nudge's link leads: the learner's course page (at the module of the next step), each
#: item one click away
HOME = "courses/{course}/"


@dataclass(frozen=True)
class Reason:
    """Why a learner is at risk: a rule, its occasion (what makes it once), the sentence."""

    rule: str
    occasion: str
    sentence: str


@dataclass
class CourseFacts:
    """What the rules read of one course, for all its learners at once."""

    course: CourseRecord
    enrolments: list[Enrolment]
    last: dict[str, datetime]
    started: dict[str, set[str]]
    done_lessons: dict[str, set[str]]
    submitted: set[tuple[str, str]]
    attempted: dict[str, dict[str, float]]
    #: the dated items' titles, by id
    titles: dict[str, str]

    @classmethod
    def read(cls, session: Session, course: CourseRecord) -> CourseFacts:
        submitted = session.execute(
            select(Submission.username, Submission.assignment_id)
            .where(Submission.course_id == course.id)
            .distinct()
        )
        return cls(
            course,
            course_enrolments(session, course.id, ENROLLED),
            last_active(session, course.id),
            started_modules(session, course.id),
            lessons_done(session, course.id),
            {tuple(row) for row in submitted},
            best_attempts(session, course.id),
            _titles(course.data),
        )

    def item_done(self, username: str, item_id: str) -> bool:
        return (username, item_id) in self.submitted or item_id in self.attempted.get(username, {})

    def next_step(self, username: str, openings: dict[str, datetime], now: datetime) -> str | None:
        """The first thing not done yet, in course order, of the modules open to the learner
        (None: everything open is done)."""
        for module in self.course.data["modules"]:
            if openings[module["id"]] > now:
                break
            for lesson in module.get("lessons", []):
                if lesson["file"] not in self.done_lessons.get(username, set()):
                    return f"{lesson['title']} ({module['title']})", module["id"]
            for assignment in module.get("assignments", []):
                if not self.item_done(username, assignment["id"]):
                    return f"{assignment['title']} ({module['title']})", module["id"]
            quiz = module.get("quiz")
            if quiz and not self.item_done(username, quiz_id_of(module)):
                return f"{quiz['title']} ({module['title']})", module["id"]
        return None


def _titles(course_data: dict[str, Any]) -> dict[str, str]:
    titles = {}
    for module in course_data["modules"]:
        for assignment in module.get("assignments", []):
            titles[assignment["id"]] = assignment["title"]
        if module.get("quiz"):
            titles[quiz_id_of(module)] = module["quiz"]["title"]
    return titles


def reasons_of(
    facts: CourseFacts, enrolment: Enrolment, deadlines, rules: dict[str, Any], now: datetime
) -> list[Reason]:
    """The rules ``enrolment``'s learner meets now, most pressing first."""
    username, data = enrolment.username, facts.course.data
    start = learner_start(enrolment)
    if start > now:  # their run has not begun
        return []
    found = []
    if "missed_deadline" in rules:
        titles = facts.titles
        for item_id, deadline in sorted(deadlines.items(), key=lambda kv: kv[1].due_at):
            if now - RECENT <= deadline.due_at < now and not facts.item_done(username, item_id):
                status = deadline.status(now)
                late = (
                    f" It still takes late work until {readable(status.closes_at)}."
                    if status.accepted and status.closes_at is not None
                    else " It still takes late work."
                    if status.accepted
                    else ""
                )
                sentence = f"{titles[item_id]} was due {readable(deadline.due_at)}.{late}"
                found.append(Reason("missed_deadline", item_id, sentence))
    if "module_not_started" in rules:
        after = timedelta(days=rules["module_not_started"])
        openings = module_openings(data, enrolment)
        for module in data["modules"]:
            since = openings[module["id"]] + after
            started = module["id"] in facts.started.get(username, set())
            if now - RECENT <= since <= now and not started:
                sentence = f"{module['title']} opened {readable(since - after)}."
                found.append(Reason("module_not_started", module["id"], sentence))
    if "inactive" in rules:
        since = max(facts.last.get(username) or enrolment.enrolled_at, start)
        away = now - since >= timedelta(days=rules["inactive"])
        # one who did all there is to do so far is away, not at risk
        if away and facts.next_step(username, module_openings(data, enrolment), now):
            days = (now - since).days
            sentence = f"We have not seen you in {facts.course.title} for {days} days."
            found.append(Reason("inactive", since.isoformat(timespec="seconds"), sentence))
    return found


def at_risk(session: Session, course: CourseRecord, now: datetime) -> dict[str, list[Reason]]:
    """The course's learners at risk now by its rules, with their reasons (none: not there)."""
    rules = nudge_rules(course.data)
    if not rules:
        return {}
    facts = CourseFacts.read(session, course)
    deadlines = resolve_course_deadlines(session, course.data, facts.enrolments)
    found = {}
    for enrolment in facts.enrolments:
        reasons = reasons_of(facts, enrolment, deadlines[enrolment.username], rules, now)
        if reasons:
            found[enrolment.username] = reasons
    return found


def _message(facts: CourseFacts, enrolment: Enrolment, reasons: list[Reason], now: datetime):
    """The notification's title, body and link: the reasons, the next step, a kind word."""
    first = reasons[0].rule
    title = {
        "missed_deadline": "You can still catch up",
        "module_not_started": "A new module is waiting for you",
        "inactive": f"We miss you in {facts.course.title}",
    }[first]
    step = facts.next_step(enrolment.username, module_openings(facts.course.data, enrolment), now)
    body = " ".join(r.sentence for r in reasons)
    link = HOME.format(course=facts.course.id)
    if step:
        body += f" Your next step: {step[0]}."
        link += f"#module-{step[1]}"
    body += " A little every week goes a long way; you can do it!"
    return title, body, link


def nudge_course(session: Session, course: CourseRecord, now: datetime) -> int:
    """Give the nudges now due in one course; how many learners were nudged."""
    rules = nudge_rules(course.data)
    if not rules:
        return 0
    facts = CourseFacts.read(session, course)
    deadlines = resolve_course_deadlines(session, course.data, facts.enrolments)
    given = set(
        session.execute(
            select(Nudge.username, Nudge.rule, Nudge.occasion).where(Nudge.course_id == course.id)
        ).all()
    )
    due: dict[str, tuple[Enrolment, list[Reason]]] = {}
    rows = []
    for enrolment in facts.enrolments:
        found = reasons_of(facts, enrolment, deadlines[enrolment.username], rules, now)
        new = [r for r in found if (enrolment.username, r.rule, r.occasion) not in given]
        if not new:
            continue
        title, _, _ = _message(facts, enrolment, new, now)
        due[enrolment.username] = (enrolment, new)
        for reason in new:
            rows.append(
                {
                    "course_id": course.id,
                    "username": enrolment.username,
                    "rule": reason.rule,
                    "occasion": reason.occasion,
                    "title": one_line(title),
                    "created_at": now,
                    "sent_by": None,
                }
            )
    if not rows:
        return 0
    # another replica's pass may have given some
    inserted = insert_new(session, Nudge, (Nudge.username, Nudge.rule, Nudge.occasion), rows)
    messages = []
    for username, (enrolment, reasons) in sorted(due.items()):
        mine = [r for r in reasons if (username, r.rule, r.occasion) in inserted]
        if mine:
            messages.append((username, *_message(facts, enrolment, mine, now)))
    notify_many(session, NUDGE, course.id, messages)
    return len(messages)


def nudge(session: Session, now: datetime | None = None) -> int:
    """The nudge pass over every published course; how many learners were nudged."""
    now = now or utcnow()
    return sum(nudge_course(session, c, now) for c in active_courses(session))
