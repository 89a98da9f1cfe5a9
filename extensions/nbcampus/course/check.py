"""``nbcampus course check``: every rule a course folder must follow, with file and line."""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from nbcampus.course.model import is_external
from nbcampus.course.notebooks import check_exercise_folder, check_lesson, check_quiz
from nbcampus.course.packages import package_problems
from nbcampus.course.peer_review import peer_review_problems
from nbcampus.course.problem import Problem
from nbcampus.course.problem import where_text as _where
from nbcampus.course.schema import COURSE_SCHEMA
from nbcampus.course.videos import video_problems
from nbcampus.course.yamlmap import LineMap, load_yaml_with_lines

_VALIDATOR = jsonschema.Draft202012Validator(
    COURSE_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)

# format -> the enrolment rule it needs and whether a seat cap is required (True),
# forbidden (False) or optional (None)
FORMAT_RULES: dict[str, tuple[str, bool | None]] = {
    "mooc": ("open", False),
    "cooc": ("organisation", None),
    "spoc": ("invite", True),
    "sooc": ("open", True),
}


#: a run date given relative to the day the course is read (UTC): ``today``, ``today+30``,
#: ``today-35``; for demo and example courses that must stay current
RELATIVE_DATE = re.compile(r"^today(?:([+-])(\d{1,4}))?$")


def read_course_file(path: Path) -> tuple[Any, LineMap]:
    """Parse a course file, relative run dates made ISO dates; raises ``yaml.YAMLError`` or
    ``OSError``."""
    data, lines = load_yaml_with_lines(path.read_text(encoding="utf-8"))
    runs = data.get("pacing", {}).get("runs") if isinstance(data, dict) else None
    if isinstance(data.get("pacing") if isinstance(data, dict) else None, dict) and isinstance(
        runs, list
    ):
        today = datetime.now(UTC).date()
        for run in runs:
            for key in ("start", "end"):
                value = run.get(key) if isinstance(run, dict) else None
                found = RELATIVE_DATE.match(value) if isinstance(value, str) else None
                if found:
                    days = int(found[2] or 0) * (-1 if found[1] == "-" else 1)
                    run[key] = (today + timedelta(days=days)).isoformat()
    return data, lines


def _schema_problems(file: Path, data: Any, lines: LineMap) -> list[Problem]:
    problems = []
    for error in sorted(
        _VALIDATOR.iter_errors(data), key=lambda e: lines.line_of(tuple(e.absolute_path))
    ):
        path = tuple(error.absolute_path)
        key = _where(path) or "the course file"
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            path = path + (extra[0],)
            message = f"{key}: unknown key {', '.join(map(repr, extra))}"
            hint = "allowed keys: " + ", ".join(sorted(error.schema.get("properties", {})))
        elif error.validator == "required":
            message = f"{key}: {error.message}"
            hint = "add the missing key (see docs/course-format.md)"
        elif error.validator == "enum":
            message = f"{key}: {error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
            hint = "use one of the listed values"
        elif error.validator == "pattern" and path and path[-1] == "id":
            message = f"{key}: {error.instance!r} is not a valid id"
            hint = "use lower-case letters, digits and dashes, starting with a letter or digit"
        else:
            message = f"{key}: {error.message}"
            hint = "see docs/course-format.md for what this key takes"
        problems.append(Problem(file, lines.line_of(path), message, hint))
    return sorted(problems, key=lambda p: p.line)  # the line of an unknown key is its own


class _Semantics:
    """Rules a schema cannot say: cross-references, formats and files that must exist."""

    def __init__(self, folder: Path, file: Path, data: dict[str, Any], lines: LineMap):
        self.folder, self.file, self.data, self.lines = folder, file, data, lines
        self.problems: list[Problem] = []

    def add(self, path: tuple[Any, ...], message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.file, self.lines.line_of(path), message, hint))

    def file_exists(self, path: tuple[Any, ...], relative: str) -> Path | None:
        target = self.folder / relative
        if not target.is_file():
            self.add(
                path,
                f"{_where(path)}: file {relative!r} does not exist in the course folder",
                f"create {target} or correct the path",
            )
            return None
        return target

    def run(self) -> list[Problem]:
        self.identity()
        self.enrolment()
        self.pacing()
        self.modules()
        self.grading()
        self.branding()
        if "packages" in self.data:
            for path, message, hint in package_problems(self.data["packages"]):
                self.add(path, message, hint)
        return self.problems

    def identity(self) -> None:
        name = self.folder.resolve().name  # `nbcampus course check .` names the folder "."
        if self.data["id"] != name:
            self.add(
                ("id",),
                f"id {self.data['id']!r} differs from the folder name {name!r}",
                f"rename the folder to {self.data['id']!r} or set id: {name}",
            )

    def enrolment(self) -> None:
        fmt, enrolment = self.data["format"], self.data["enrolment"]
        rule, cap_needed = FORMAT_RULES[fmt]
        if enrolment["rule"] != rule:
            self.add(
                ("enrolment", "rule"),
                f"a {fmt} course needs enrolment rule {rule!r}, not {enrolment['rule']!r}",
                f"set enrolment.rule: {rule} or change the format",
            )
        cap = enrolment.get("seat_cap")
        if cap_needed is True and cap is None:
            self.add(
                ("enrolment",),
                f"a {fmt} course needs a seat cap",
                "set enrolment.seat_cap to the number of seats",
            )
        if cap_needed is False and cap is not None:
            self.add(
                ("enrolment", "seat_cap"),
                "a mooc is open to all and takes no seat cap",
                "remove seat_cap or make the course a sooc",
            )
        if enrolment["rule"] == "organisation":
            org = enrolment.get("organisation") or {}
            if not (org.get("email_domains") or org.get("hub_groups") or org.get("partners")):
                self.add(
                    ("enrolment", "organisation") if org else ("enrolment",),
                    "an organisation enrolment rule needs email_domains, hub_groups or partners",
                    "list who may enrol under enrolment.organisation",
                )
        if enrolment["rule"] == "invite":
            if not (enrolment.get("invite_codes") or enrolment.get("roster")):
                self.add(
                    ("enrolment",),
                    "an invite enrolment rule needs invite_codes or a roster",
                    "add enrolment.invite_codes or enrolment.roster: roster.csv",
                )
        if enrolment.get("roster"):
            roster = self.file_exists(("enrolment", "roster"), enrolment["roster"])
            if roster is not None:
                try:
                    with roster.open(newline="", encoding="utf-8") as f:
                        header = next(csv.reader(f), [])
                except UnicodeDecodeError:
                    header = None
                    self.problems.append(
                        Problem(roster, 0, "the roster is not UTF-8 text", "save it as UTF-8")
                    )
                if header is not None and "username" not in [h.strip() for h in header]:
                    self.problems.append(
                        Problem(
                            roster,
                            1,
                            "the roster has no 'username' column",
                            "make the first line a header with a username column",
                        )
                    )

    def pacing(self) -> None:
        pacing = self.data["pacing"]
        runs = pacing.get("runs", [])
        if pacing["mode"] == "cohort" and not runs:
            self.add(
                ("pacing",),
                "cohort pacing needs at least one run with start and end dates",
                "add pacing.runs: [{id: ..., start: YYYY-MM-DD, end: YYYY-MM-DD}]",
            )
        seen: set[str] = set()
        for i, run in enumerate(runs):
            if run["id"] in seen:
                self.add(
                    ("pacing", "runs", i, "id"),
                    f"run id {run['id']!r} is used twice",
                    "give each run its own id",
                )
            seen.add(run["id"])
            if date.fromisoformat(run["end"]) <= date.fromisoformat(run["start"]):
                self.add(
                    ("pacing", "runs", i, "end"),
                    f"run {run['id']!r} ends on or before it starts",
                    "make end later than start",
                )

    def modules(self) -> None:
        module_ids: set[str] = set()
        assignment_ids: set[str] = set()
        last_week = 0
        duration = self.data["duration_weeks"]
        for m, module in enumerate(self.data["modules"]):
            where = ("modules", m)
            if module["id"] in module_ids:
                self.add(
                    where + ("id",),
                    f"module id {module['id']!r} is used twice",
                    "give each module its own id",
                )
            module_ids.add(module["id"])
            if module["week"] < last_week:
                self.add(
                    where + ("week",),
                    f"module {module['id']!r} (week {module['week']}) comes after week {last_week}",
                    "list modules in week order",
                )
            last_week = max(last_week, module["week"])
            if module["week"] > duration:
                self.add(
                    where + ("week",),
                    f"module {module['id']!r} is in week {module['week']} "
                    f"but the course lasts {duration} weeks",
                    "raise duration_weeks or move the module",
                )
            for i, lesson in enumerate(module.get("lessons", [])):
                target = None
                if not is_external(lesson["file"]):
                    target = self.file_exists(where + ("lessons", i, "file"), lesson["file"])
                if target is not None and target.suffix == ".ipynb":
                    self.problems.extend(check_lesson(target))
                for key in ("captions", "transcript"):
                    if key in lesson:
                        self.file_exists(where + ("lessons", i, key), lesson[key])
                for path, message, hint in video_problems(
                    self.folder, where + ("lessons", i), lesson
                ):
                    self.add(path, message, hint)
            for i, assignment in enumerate(module.get("assignments", [])):
                path = where + ("assignments", i)
                if assignment["id"] in assignment_ids:
                    self.add(
                        path + ("id",),
                        f"assignment id {assignment['id']!r} is used twice",
                        "give each assignment its own id: it names the nbgrader assignment",
                    )
                assignment_ids.add(assignment["id"])
                self.late_policy(path, assignment)
                if "peer_review" in assignment:
                    source = self.folder / "source" / assignment["id"]
                    for where, message, hint in peer_review_problems(path, assignment, source):
                        self.add(where, message, hint)
                problems, total = check_exercise_folder(self.folder / "source" / assignment["id"])
                self.problems.extend(problems)
                if not problems and abs(total - assignment["points"]) > 1e-9:
                    self.add(
                        path + ("points",),
                        f"assignment {assignment['id']!r} declares {assignment['points']:g} "
                        f"points but its notebooks' tests add up to {total:g}",
                        f"set points: {total:g} or change the points of the graded cells",
                    )
            if "quiz" in module:
                target = self.file_exists(where + ("quiz", "file"), module["quiz"]["file"])
                if target is not None:
                    self.problems.extend(check_quiz(target))
        required = self.data["certificate"].get("required_modules", [])
        for i, module_id in enumerate(required):
            if module_id not in module_ids:
                self.add(
                    ("certificate", "required_modules", i),
                    f"required module {module_id!r} does not exist",
                    "use the id of a module of this course",
                )

    def late_policy(self, path: tuple[Any, ...], assignment: dict[str, Any]) -> None:
        policy = assignment.get("late_policy")
        if not policy:
            return
        last_day, last_percent = -1.0, 101.0
        for i, step in enumerate(policy.get("credit", [])):
            if step["after_days"] <= last_day or step["percent"] > last_percent:
                self.add(
                    path + ("late_policy", "credit", i),
                    "late credit steps must come later and give no more credit than the one before",
                    "order the steps by after_days with falling percent",
                )
            last_day, last_percent = step["after_days"], step["percent"]
        close = policy.get("hard_close_days")
        if close is not None and close < last_day:
            self.add(
                path + ("late_policy", "hard_close_days"),
                "the hard close comes before the last late-credit step",
                "move hard_close_days after the last credit step",
            )

    def grading(self) -> None:
        weights = self.data["grading"]["weights"]
        if abs(weights["assignments"] + weights["quizzes"] - 1) > 1e-6:
            self.add(
                ("grading", "weights"),
                "grading weights must add up to 1",
                f"they add up to {weights['assignments'] + weights['quizzes']:g}",
            )
        has_quiz = any("quiz" in m for m in self.data["modules"])
        if weights["quizzes"] > 0 and not has_quiz:
            self.add(
                ("grading", "weights", "quizzes"),
                "quizzes carry weight but no module has a quiz",
                "set the quizzes weight to 0 or add a quiz",
            )
        certificate = self.data["certificate"]
        if certificate.get("verified_only") and not self.data.get("tracks", {}).get(
            "verified", False
        ):
            self.add(
                ("certificate", "verified_only"),
                "the certificate needs the verified track, which is off",
                "set tracks.verified: true or verified_only: false",
            )

    def branding(self) -> None:
        branding = self.data.get("branding")
        if self.data["format"] == "cooc" and not branding:
            self.add(
                (),
                "a cooc course carries its company's branding",
                "add branding: {organisation, logo, colors}",
            )
        if branding and branding.get("logo"):
            self.file_exists(("branding", "logo"), branding["logo"])


def check_course(folder: str | Path) -> list[Problem]:
    """Every problem in the course folder ``folder``; an empty list means it is valid."""
    folder = Path(folder)
    file = folder / "course.yml"
    if not folder.is_dir():
        return [
            Problem(
                folder, 0, "no such course folder", "give the path of a folder holding course.yml"
            )
        ]
    if not file.is_file():
        return [
            Problem(
                file,
                0,
                "the course file is missing",
                "create course.yml (see docs/course-format.md)",
            )
        ]
    try:
        data, lines = read_course_file(file)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        context = getattr(e, "context_mark", None)
        if mark and context and mark.index >= len(file.read_text(encoding="utf-8")):
            # found at the end of the file (an unclosed quote or bracket): point at its start
            mark = context
        problem = getattr(e, "problem", None) or str(e)
        return [
            Problem(
                file,
                mark.line + 1 if mark else 0,
                f"YAML syntax: {problem}",
                "fix the indentation or quoting at this line",
            )
        ]
    except UnicodeDecodeError:
        return [Problem(file, 0, "the course file is not UTF-8 text", "save it as UTF-8")]
    problems = [
        Problem(file, line, f"key {_where(path)!r} is written twice", "keep one of them")
        for path, line in lines.duplicates
    ]
    problems += _schema_problems(file, data, lines)
    if problems:
        return problems
    return _Semantics(folder, file, data, lines).run()
