"""What other packages may use of rewards: everything else is private to it."""

from nbcampus.school.rewards.leaderboard import choose, leaderboard, my_points
from nbcampus.school.rewards.points import course_points

__all__ = [
    "choose",
    "course_points",
    "leaderboard",
    "my_points",
]
