"""Quiz widgets for Voilà: questions come from the nbcampus service, answers go back to it.

The learner's notebook holds no key: ``Quiz(course, quiz)`` asks the service (with the learner's
server token from the environment) for the questions in the learner's own option order, shows one
widget per question, and posts the answers; the service scores them and answers with feedback.
"""

from nbcampus.quiz.client import QuizClient, QuizError
from nbcampus.quiz.widgets import CodeOutput, MultipleChoice, Numeric, Quiz, ShortText, SingleChoice

__all__ = [
    "CodeOutput",
    "MultipleChoice",
    "Numeric",
    "Quiz",
    "QuizClient",
    "QuizError",
    "ShortText",
    "SingleChoice",
]
