"""The exchange folder on disk, owned by the service: every path in it is made here.

```
<exchange>/releases/<course>/<assignment>/<stamp>-<rand>/      released files (learners fetch)
<exchange>/keys/releases/.../gradebook.db                      grading key of a release (never served)
<exchange>/submissions/<course>/<assignment>/<user>/<id>/      a submission, immutable
<exchange>/feedback/<course>/<assignment>/<user>/<id>-<rand>/  feedback released to the learner
<exchange>/feedback-pending/<submission>/<version>/            the grader's output, staff only
<exchange>/feedback-pending/<submission>/current -> <version>
```
Folders are written once (``storage.store_files``) and never changed; the database rows hold
their relative paths.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path


def _unique() -> str:
    return uuid.uuid4().hex[:8]


def release_folder(course_id: str, assignment_id: str, stamp: datetime) -> str:
    """A new release's folder, relative to the exchange."""
    return f"releases/{course_id}/{assignment_id}/{stamp:%Y%m%dT%H%M%S%f}-{_unique()}"


def grading_key_file(root: Path, release_storage: str) -> Path:
    """The grading key of a release: outside the release folder, never served to anyone."""
    return Path(root) / "keys" / release_storage / "gradebook.db"


def submission_folder(course_id: str, assignment_id: str, username: str, submission_id: str) -> str:
    """A submission's folder, relative to the exchange."""
    return f"submissions/{course_id}/{assignment_id}/{username}/{submission_id}"


def feedback_folder(course_id: str, assignment_id: str, username: str, submission_id: str) -> str:
    """A new folder of feedback released to the learner, relative to the exchange."""
    return f"feedback/{course_id}/{assignment_id}/{username}/{submission_id}-{_unique()}"


def pending_feedback_dir(root: Path, submission_id: str) -> Path:
    """Where the grader leaves a submission's feedback until it is released to the learner."""
    return Path(root) / "feedback-pending" / submission_id


def new_pending_version() -> str:
    """The name of a new version of a submission's pending feedback."""
    return _unique()


def current_pending_feedback(root: Path, submission_id: str) -> Path:
    """The current version of a submission's pending feedback (a link to the latest grading)."""
    return pending_feedback_dir(root, submission_id) / "current"


def graded_notebooks_dir(root: Path, submission_id: str) -> Path:
    """The executed notebooks of the current grading, with every test (staff only)."""
    return current_pending_feedback(root, submission_id) / "graded"
