"""Quizzes for learners: questions only (the key stays here), answers scored here."""

from __future__ import annotations

from nbcampus.school.quizzes.api import attempt_json, learner_quiz, submit_attempt
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import accepts, answers, requires
from nbcampus.service.schemas import quizzes as schemas


class QuizHandler(APIHandler):
    @requires("learn")
    @answers(200, schemas.QUIZ)
    async def get(self, course_id: str, quiz_id: str) -> None:
        """A quiz as I see it: questions without key, options in my order, my attempts."""
        self.write_json(await self.in_db(learner_quiz, course_id, quiz_id, self.username))


class QuizAttemptsHandler(APIHandler):
    @requires("learn")
    @accepts(schemas.ATTEMPT)
    @answers(201, schemas.ATTEMPT_SCORED)
    async def post(self, course_id: str, quiz_id: str) -> None:
        """Submit quiz answers: scored by the service, within attempts and due date."""
        answers = self.body["answers"]

        def act(session):
            return attempt_json(submit_attempt(session, course_id, quiz_id, self.username, answers))

        self.write_json(await self.in_db(act), status=201)


default_handlers = [
    ("/api/courses/{course}/quizzes/{quiz}", QuizHandler),
    ("/api/courses/{course}/quizzes/{quiz}/attempts", QuizAttemptsHandler),
]
