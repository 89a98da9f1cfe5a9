"""What other packages may use of publishing: everything else is private to it."""

from nbcampus.school.publishing.catalog import release_exercise, seed_enrolments, sync_catalog

__all__ = [
    "release_exercise",
    "seed_enrolments",
    "sync_catalog",
]
