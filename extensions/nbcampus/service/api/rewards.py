"""Rewards and nudges: my points and streak, my cohort's leaderboard and my opt-in; staff's
view of the learners at risk and the nudges given, and their messages to learners."""

from __future__ import annotations

from nbcampus.school.core.api import utcnow
from nbcampus.school.notifications import api as notifications
from nbcampus.school.profiles.api import shown_names as display_names
from nbcampus.school.rewards import api as rewards
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import accepts, answers, requires
from nbcampus.service.schemas import rewards as schemas


def named(session, lines: list[dict], key: str = "username") -> list[dict]:
    names = display_names(session, {line[key] for line in lines})
    return [{**line, "name": names[line[key]]} for line in lines]


def public_board(session, board: dict) -> dict:
    """The board as learners see it: names, never usernames of others."""
    names = display_names(session, {e["username"] for e in board["entries"]})
    entries = [
        {"rank": e["rank"], "name": names[e["username"]], "points": e["points"], "me": e["me"]}
        for e in board["entries"]
    ]
    return {**board, "entries": entries}


class PointsHandler(APIHandler):
    @requires("learn")
    @answers(200, schemas.POINTS)
    @answers(403, None, description="not enrolled in the course")
    @answers(404, None, description="no such course, or it gives no points")
    async def get(self, course_id: str) -> None:
        """My points in the course, per module, my streak of active weeks, my leaderboard
        choice."""

        def read(session):
            mine = rewards.my_points(session, course_id, self.username, utcnow())
            return named(session, [mine])[0]

        self.write_json(await self.in_db(read))


class LeaderboardHandler(APIHandler):
    @requires("learn")
    @answers(200, schemas.LEADERBOARD)
    @answers(403, None, description="not enrolled in the course")
    @answers(404, None, description="no such course, or it has no leaderboard")
    async def get(self, course_id: str) -> None:
        """My cohort's leaderboard: the learners who opted in, by points."""

        def read(session):
            return public_board(session, rewards.leaderboard(session, course_id, self.username))

        self.write_json(await self.in_db(read))

    @requires("learn")
    @accepts(schemas.LEADERBOARD_CHOICE)
    @answers(200, schemas.LEADERBOARD)
    @answers(403, None, description="not enrolled in the course")
    @answers(404, None, description="no such course, or it has no leaderboard")
    async def patch(self, course_id: str) -> None:
        """Opt in to my cohort's leaderboard, or out of it."""
        opted_in = bool(self.body["opted_in"])

        def act(session):
            board = rewards.choose(session, course_id, self.username, opted_in)
            return public_board(session, board)

        self.write_json(await self.in_db(act))


class NudgesHandler(APIHandler):
    @requires("teach")
    @answers(200, schemas.NUDGES)
    @answers(404, None, description="no such course")
    async def get(self, course_id: str) -> None:
        """The learners at risk now by the course file's rules, and the nudges given (staff)."""

        def read(session):
            view = notifications.nudge_overview(session, course_id, utcnow())
            return view | {
                "at_risk": named(session, view["at_risk"]),
                "nudges": named(session, view["nudges"]),
            }

        self.write_json(await self.in_db(read))

    @requires("teach")
    @accepts(schemas.MESSAGE)
    @answers(201, schemas.SENT)
    @answers(404, None, description="no such course, or a learner not enrolled in it")
    async def post(self, course_id: str) -> None:
        """Message some learners, or everyone at risk now, as a nudge (staff)."""
        body = self.body
        usernames = None if body.get("at_risk") else [str(u) for u in body["usernames"]]
        sent = await self.in_db(
            notifications.message_learners,
            course_id,
            self.username,
            str(body["title"]),
            str(body["body"]),
            usernames,
            utcnow(),
        )
        self.write_json(sent, status=201)


default_handlers = [
    ("/api/courses/{course}/points", PointsHandler),
    ("/api/courses/{course}/leaderboard", LeaderboardHandler),
    ("/api/courses/{course}/nudges", NudgesHandler),
]
