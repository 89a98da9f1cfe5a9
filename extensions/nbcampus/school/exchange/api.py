"""What other packages may use of exchange: everything else is private to it."""

from nbcampus.school.exchange.models import LESSONS, Submission
from nbcampus.school.exchange.paths import (
    current_pending_feedback,
    graded_notebooks_dir,
    new_pending_version,
    pending_feedback_dir,
)
from nbcampus.school.exchange.storage import (
    ArchiveError,
    Limits,
    read_archive,
    safe_member_name,
    store_files,
    zip_folder,
)
from nbcampus.school.exchange.submissions import (
    add_feedback,
    assignments_for,
    current_release,
    get_submission,
    grading_key_path,
    is_latest_attempt,
    latest_feedback,
    list_submissions,
    release,
    store_grading_key,
    submission_view,
    submit,
)

__all__ = [
    "current_pending_feedback",
    "graded_notebooks_dir",
    "new_pending_version",
    "get_submission",
    "ArchiveError",
    "LESSONS",
    "Limits",
    "Submission",
    "add_feedback",
    "assignments_for",
    "current_release",
    "grading_key_path",
    "is_latest_attempt",
    "latest_feedback",
    "list_submissions",
    "read_archive",
    "release",
    "safe_member_name",
    "pending_feedback_dir",
    "store_files",
    "store_grading_key",
    "submission_view",
    "submit",
    "zip_folder",
]
