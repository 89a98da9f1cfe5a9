"""What other packages may use of progress: everything else is private to it."""

from nbcampus.school.progress.activity import (
    MAX_EVENTS,
    last_active,
    my_notebooks,
    parse_events,
    record_activity,
    started_modules,
)
from nbcampus.school.progress.dashboards import SECTIONS, section, to_csv
from nbcampus.school.progress.gradebook import FORMATS as GRADEBOOK_FORMATS
from nbcampus.school.progress.gradebook import Gradebook, export, gradebook
from nbcampus.school.progress.lessons import LESSON_DONE_SECONDS, lessons_done, my_lessons
from nbcampus.school.progress.lines import (
    ALL_COHORTS,
    BUCKETS,
    NO_COHORT,
    cohort_id_of,
    report_plan,
)
from nbcampus.school.progress.models import ACTIVITY_KINDS
from nbcampus.school.progress.reports import cohort_report, learner_columns, learner_report
from nbcampus.school.progress.score import ScoreRule, course_scores, rule_of
from nbcampus.school.progress.streaks import my_streak
from nbcampus.school.progress.videos import (
    MAX_SEGMENTS,
    done_share,
    is_video_file,
    video_lesson,
)

__all__ = [
    "ACTIVITY_KINDS",
    "GRADEBOOK_FORMATS",
    "Gradebook",
    "export",
    "gradebook",
    "last_active",
    "lessons_done",
    "my_streak",
    "started_modules",
    "LESSON_DONE_SECONDS",
    "MAX_EVENTS",
    "MAX_SEGMENTS",
    "done_share",
    "is_video_file",
    "video_lesson",
    "my_lessons",
    "ALL_COHORTS",
    "BUCKETS",
    "NO_COHORT",
    "SECTIONS",
    "ScoreRule",
    "cohort_id_of",
    "cohort_report",
    "course_scores",
    "learner_columns",
    "learner_report",
    "my_notebooks",
    "parse_events",
    "record_activity",
    "report_plan",
    "rule_of",
    "section",
    "to_csv",
]
