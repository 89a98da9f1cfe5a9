"""What other packages may use of quizzes: everything else is private to it."""

from nbcampus.school.quizzes.attempts import (
    attempt_json,
    learner_quiz,
    publish_quizzes,
    quiz_id_of,
    submit_attempt,
)
from nbcampus.school.quizzes.models import QuizAttempt, QuizRecord

__all__ = [
    "QuizAttempt",
    "QuizRecord",
    "attempt_json",
    "learner_quiz",
    "publish_quizzes",
    "quiz_id_of",
    "submit_attempt",
]
