"""What other packages may use of progress: everything else is private to it."""

from nbcampus.school.progress.activity import my_notebooks, parse_events, record_activity
from nbcampus.school.progress.dashboards import SECTIONS, section, to_csv
from nbcampus.school.progress.reports import (
    BUCKETS,
    NO_COHORT,
    cohort_id_of,
    cohort_report,
    learner_columns,
    learner_report,
    report_plan,
)
from nbcampus.school.progress.score import ScoreRule, course_scores, rule_of

__all__ = [
    "ScoreRule",
    "course_scores",
    "rule_of",
    "BUCKETS",
    "NO_COHORT",
    "SECTIONS",
    "cohort_id_of",
    "cohort_report",
    "learner_columns",
    "learner_report",
    "my_notebooks",
    "parse_events",
    "record_activity",
    "report_plan",
    "section",
    "to_csv",
]
