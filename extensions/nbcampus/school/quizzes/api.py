"""What other packages may use of quizzes: everything else is private to it."""

from nbcampus.school.quizzes.attempts import (
    attempt_json,
    best_attempts,
    learner_quiz,
    publish_quizzes,
    quiz_id_of,
    quiz_points,
    submit_attempt,
)
from nbcampus.school.quizzes.models import QuizAttempt, QuizRecord

__all__ = [
    "QuizAttempt",
    "QuizRecord",
    "attempt_json",
    "best_attempts",
    "quiz_points",
    "learner_quiz",
    "publish_quizzes",
    "quiz_id_of",
    "submit_attempt",
]
