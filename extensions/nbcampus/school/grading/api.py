"""What other packages may use of grading: everything else is private to it."""

from nbcampus.school.grading.feedback import release_assignment
from nbcampus.school.grading.grades import (
    BEST,
    LATEST,
    counted_attempt,
    counted_order,
    current_grades,
    failed_submissions,
    my_grades,
)
from nbcampus.school.grading.models import Grade, GradingJob
from nbcampus.school.grading.queue import enqueue, set_cell_score, status
from nbcampus.school.grading.views import grade_view
from nbcampus.school.grading.worker import GradingWorker

__all__ = [
    "failed_submissions",
    "my_grades",
    "Grade",
    "GradingJob",
    "BEST",
    "LATEST",
    "counted_attempt",
    "counted_order",
    "current_grades",
    "enqueue",
    "grade_view",
    "release_assignment",
    "GradingWorker",
    "set_cell_score",
    "status",
]
