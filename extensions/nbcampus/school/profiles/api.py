"""What other packages may use of profiles: everything else is private to it."""

from nbcampus.school.profiles.models import Profile
from nbcampus.school.profiles.names import shown_name, shown_name_sql, shown_names
from nbcampus.school.profiles.profile import (
    LANGUAGES,
    NAME_MAX,
    check_display_name,
    profile_view,
    update_profile,
)

__all__ = [
    "LANGUAGES",
    "NAME_MAX",
    "Profile",
    "check_display_name",
    "profile_view",
    "shown_name",
    "shown_name_sql",
    "shown_names",
    "update_profile",
]
