"""What other packages may use of publishing: everything else is private to it."""

from nbcampus.school.publishing.catalog import seed_enrolments, sync_catalog

__all__ = [
    "seed_enrolments",
    "sync_catalog",
]
