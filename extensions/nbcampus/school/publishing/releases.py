"""Make the learner's version of course material from the course folder.

Exercises go through nbgrader's own ``generate_assignment`` (solutions and hidden tests removed),
run by ``nbcampus_graders.keys`` as a subprocess in a scratch course directory so the service
never mixes nbgrader state with its own. Lessons are given as they are (``nbcampus course
check`` has made sure they hold no solutions).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from nbcampus.course.model import Course
from nbcampus.school.core.api import CampusError
from nbcampus_graders import keys


def source_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def lesson_files(course: Course) -> dict[str, bytes]:
    """The lessons as they are, and for each quiz a notebook that loads it from the service."""
    files = {
        relative.as_posix(): (course.path / relative).read_bytes()
        for relative in course.lesson_files()
    }
    for module in course.modules:
        if module.get("quiz"):
            quiz_id = f"{module['id']}-quiz"
            files[f"quizzes/{quiz_id}.ipynb"] = learner_quiz_notebook(
                course.id, quiz_id, module["quiz"].get("title", quiz_id)
            )
    return files


def learner_quiz_notebook(course_id: str, quiz_id: str, title: str) -> bytes:
    """The learner's quiz notebook, for Voilà: code that loads the questions, never the key."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["nbcampus"] = {"course": course_id, "quiz": quiz_id}
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}"),
        nbformat.v4.new_code_cell(
            f"from nbcampus.quiz import Quiz\n\nQuiz({course_id!r}, {quiz_id!r})"
        ),
    ]
    # fixed cell ids (nbformat makes random ones): the same course gives the same bytes, so the
    # lessons release is not made again at every start of every service replica
    for n, cell in enumerate(nb.cells):
        cell.id = f"nbcampus-quiz-{n}"
    return nbformat.writes(nb).encode()


def generate_assignment(
    course: Course, assignment_id: str, timeout: float = 300
) -> dict[str, bytes]:
    """The released files of one assignment, made by ``nbgrader generate_assignment``."""
    return generate_release(course.path / "source" / assignment_id, course.id, timeout)[0]


def generate_release(
    source: Path, course_id: str, timeout: float = 300, cache: Path | None = None
) -> tuple[dict[str, bytes], bytes]:
    """Run ``nbgrader generate_assignment`` on the folder ``source`` (named after the assignment).

    Returns the released files and the grading key: the nbgrader gradebook the run made, holding
    the test cells with their hidden tests. The key stays on the service side. The key making
    itself lives in the grading engine (``nbcampus_graders.keys``), shared with ``nbcampus
    autograde``; here its failure becomes a 422.
    """
    try:
        return keys.generate_release(source, course_id, timeout, cache)
    except keys.KeyMakingError as e:
        raise CampusError(str(e), status=422) from e
