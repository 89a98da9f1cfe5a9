"""The in-memory course: a validated course file plus the folder it came from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: the files a browser plays as a video lesson
VIDEO_SUFFIXES = (".mp4", ".webm")
#: the share of a video watched that makes its lesson done, unless the course file says
DONE_WHEN_WATCHED = 0.9


def is_external(file: str) -> bool:
    """A lesson elsewhere on the web (an https:// address): a video the school links to."""
    return file.lower().startswith(("https://", "http://"))


def is_video(lesson: dict[str, Any]) -> bool:
    """A video lesson: ``kind: video`` or a video file (in the course folder or at an address)."""
    path = lesson["file"].lower().split("?", 1)[0].split("#", 1)[0]
    return lesson.get("kind") == "video" or path.endswith(VIDEO_SUFFIXES)


def lesson_extras(lesson: dict[str, Any]) -> list[str]:
    """The files that come with a lesson: a video's captions and transcript."""
    return [lesson[key] for key in ("captions", "transcript") if key in lesson]


@dataclass(frozen=True)
class Course:
    """A course whose folder passed ``nbcampus course check``."""

    path: Path
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def title(self) -> str:
        return self.data["title"]

    @property
    def format(self) -> str:
        return self.data["format"]

    @property
    def modules(self) -> list[dict[str, Any]]:
        return self.data["modules"]

    @property
    def instructors(self) -> set[str]:
        return {person["username"] for person in self.data["instructors"]}

    @property
    def staff(self) -> set[str]:
        """Instructors and teaching assistants: the people who may grade this course."""
        return self.instructors | set(self.data.get("tas", []))

    @property
    def mentors(self) -> set[str]:
        """Mentors: they answer, accept answers and moderate the course's discussions."""
        return set(self.data.get("mentors", []))

    @property
    def community_managers(self) -> set[str]:
        """Community managers: moderation plus announcements."""
        return set(self.data.get("community_managers", []))

    def lesson_files(self) -> list[Path]:
        """Lesson files in module order (a video's captions and transcript after it), relative
        to the course folder."""
        return [
            Path(name)
            for module in self.modules
            for lesson in module.get("lessons", [])
            for name in [lesson["file"], *lesson_extras(lesson)]
            if not is_external(name)
        ]

    def cohort_names(self) -> list[str]:
        """The cohorts the service makes for this course: its runs, or the one self-paced cohort."""
        pacing = self.data["pacing"]
        if pacing["mode"] == "cohort":
            return [run["id"] for run in pacing.get("runs", [])]
        return ["self-paced"]

    def assignment_ids(self) -> list[str]:
        return [a["id"] for module in self.modules for a in module.get("assignments", [])]
