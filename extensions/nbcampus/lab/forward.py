"""Which service calls a learner's JupyterLab may forward through its server (a whitelist).

The browser never holds a hub token: the Courses panel calls ``/nbcampus/api/<path>`` on its
own server, which forwards to the nbcampus service with the server's token. Only the paths the
panel needs pass; everything else (admin sync, roster uploads, grade overrides, exchange
uploads...) is refused here, before the service is asked. The service still checks every
call's scopes: the whitelist narrows what a stolen browser session could reach, it grants nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: one path segment: a course, assignment, item or user name (no '.', '..', '/', '%')
_SEG = r"(?!\.{1,2}(?:/|$))[A-Za-z0-9._@+-]{1,255}"


@dataclass(frozen=True)
class ForwardRule:
    """A service path (a regular expression over the path below ``api/``) and its methods."""

    methods: frozenset[str]
    pattern: re.Pattern[str]
    why: str


def _rule(methods: str, template: str, why: str) -> ForwardRule:
    regex = re.sub(r"\{\w+\}", _SEG, template)
    return ForwardRule(frozenset(methods.split()), re.compile(f"^{regex}$"), why)


RULES: tuple[ForwardRule, ...] = (
    _rule("GET", "courses", "the catalog"),
    _rule("GET", "courses/{course}", "one course"),
    _rule("POST", "courses/{course}/enrolments", "enrol (with an invite code)"),
    _rule("GET", "courses/{course}/enrolments", "staff: the course's learners"),
    _rule("GET", "courses/{course}/deadlines", "due dates (mine, or a learner's for staff)"),
    _rule("POST", "courses/{course}/deadlines/{item}", "staff: extend a deadline"),
    _rule("GET", "courses/{course}/quizzes/{quiz}", "a quiz's attempts (status)"),
    _rule("GET", "courses/{course}/assignments/{assignment}/grading", "staff: grading status"),
    _rule(
        "POST",
        "courses/{course}/assignments/{assignment}/release",
        "staff: release an exercise from the course folder",
    ),
    _rule(
        "POST",
        "courses/{course}/assignments/{assignment}/feedback/release",
        "staff: release the feedback of graded work",
    ),
    _rule("GET", "me/enrolments", "my courses and deadlines"),
    _rule(
        "GET POST", "courses/{course}/upgrade", "my upgrade to the verified track; redeem a code"
    ),
    _rule("GET", "courses/{course}/upgrades", "staff: upgrades awaiting identity verification"),
    _rule("POST", "courses/{course}/upgrades/{username}", "staff: verify an identity, or refuse"),
    _rule("GET", "me/grades", "my grades"),
    _rule("GET", "me/progress", "my own report line: the weighted course score"),
    _rule("GET", "me/certificates", "my certificates"),
    _rule("GET", "me/notifications", "my notifications (the bell and the toasts)"),
    _rule("POST", "me/notifications/read", "mark my notifications read"),
    _rule("GET PATCH", "me/preferences", "my notification preferences"),
    _rule("GET POST", "me/activity", "progress tracking; the notebooks I worked in"),
    _rule("GET", "exchange/assignments", "released assignments and my submissions"),
    # discussions: the service decides who sees and may do what (cohorts, private, moderation)
    _rule("GET POST", "courses/{course}/threads", "a course's threads; start one"),
    _rule("GET", "courses/{course}/private-questions", "staff: unanswered private questions"),
    _rule("GET POST", "courses/{course}/announcements", "announcements; staff: announce"),
    _rule("GET POST", "courses/{course}/sessions", "upcoming live sessions; staff: schedule"),
    _rule("POST", "me/calendar-key", "a new address of my calendar feed"),
    _rule("POST", "discussion/preview", "a post's markdown rendered before posting"),
    _rule("GET PATCH", "threads/{thread}", "a thread; pin, close, edit"),
    _rule("POST", "threads/{thread}/posts", "reply, or comment under a reply"),
    _rule("POST", "threads/{thread}/read", "mark a thread read"),
    _rule("POST", "threads/{thread}/follow", "follow a thread"),
    _rule("POST", "posts/{post}/vote", "vote on a post"),
    _rule("POST", "posts/{post}/accept", "accept an answer"),
    _rule("POST", "posts/{post}/flag", "flag a post for abuse"),
    _rule("POST", "posts/{post}/hide", "moderators: hide a post"),
    _rule("GET", "courses/{course}/points", "my points, per module, and my streak"),
    _rule("GET PATCH", "courses/{course}/leaderboard", "my cohort's leaderboard; opt in or out"),
    _rule("GET", "courses/{course}/nudges", "staff: learners at risk, nudges given"),
    _rule("GET", "courses/{course}/peer-reviews", "my peer-reviewed items"),
    _rule("POST", "courses/{course}/peer-reviews/{item}/allocations", "ask for work to review"),
    _rule("POST", "peer-allocations/{allocation}/review", "review the work I hold"),
    _rule("GET", "courses/{course}/peer-reviews/{item}/received", "reviews of my work, my grade"),
    _rule("POST", "peer-reviews/{review}/flag", "flag an unfair review"),
    _rule("POST", "courses/{course}/peer-reviews/{item}/self", "assess my own work"),
    _rule(
        "GET POST",
        "courses/{course}/peer-reviews/{item}/calibration",
        "practise assessing the calibration examples",
    ),
    _rule("GET", "courses/{course}/peer-reviews/{item}/queue", "staff: work short of reviews"),
    _rule("POST", "courses/{course}/peer-reviews/{item}/overrides", "staff: override a grade"),
)


def forward_rule(method: str, path: str) -> ForwardRule | None:
    """The rule allowing ``method`` on the service path ``path``, or None."""
    for rule in RULES:
        if method in rule.methods and rule.pattern.match(path):
            return rule
    return None
