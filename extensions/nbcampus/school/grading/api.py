"""What other packages may use of grading: everything else is private to it."""

from nbcampus.school.grading.feedback import graded_notebooks_dir, release_assignment
from nbcampus.school.grading.grades import current_grades
from nbcampus.school.grading.models import Grade, GradingJob
from nbcampus.school.grading.queue import enqueue, grade_view, set_cell_score, status
from nbcampus.school.grading.worker import GradingWorker

__all__ = [
    "Grade",
    "GradingJob",
    "current_grades",
    "enqueue",
    "grade_view",
    "graded_notebooks_dir",
    "release_assignment",
    "GradingWorker",
    "set_cell_score",
    "status",
]
