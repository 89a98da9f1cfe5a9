"""The course home's rewards: the learner's points (per module), streak and their cohort's
leaderboard with the opt-in form, for a course whose file gives points (the rewards package's
figures; nobody who did not opt in is on the board)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tornado.escape import xhtml_escape as esc

from nbcampus.school.core.api import NotFound
from nbcampus.school.profiles.api import shown_names
from nbcampus.school.rewards import api as rewards


def rewards_facts(session, course_id: str, username: str, now: datetime) -> dict[str, Any] | None:
    """The learner's points and board; None when the course gives no points."""
    try:
        points = rewards.my_points(session, course_id, username, now)
    except NotFound:
        return None
    board = None
    if points["leaderboard"]["enabled"]:
        board = rewards.leaderboard(session, course_id, username)
        names = shown_names(session, [e["username"] for e in board["entries"]])
        board["entries"] = [e | {"name": names[e["username"]]} for e in board["entries"]]
    return {"points": points, "board": board}


def _weeks(n: int) -> str:
    return f"{n} week{'s' if n != 1 else ''}"


def rewards_section(facts: dict[str, Any] | None, xsrf: str) -> str:
    if facts is None:
        return ""
    points, board = facts["points"], facts["board"]
    streak = points["streak"]
    modules = "".join(f"<li>{esc(m['title'])}: {m['points']:g} pts</li>" for m in points["modules"])
    lines = [
        f"<p><strong>{points['total']:g} points</strong> · "
        + (
            f"streak: {_weeks(streak['current_weeks'])} in a row"
            if streak["current_weeks"]
            else "no streak yet: a little work this week starts one"
        )
        + "</p>",
        f"<ul>{modules}</ul>",
    ]
    if board is not None:
        entries = "".join(
            f"<li{' class=me' if e['me'] else ''}>{e['rank']}. {esc(e['name'])}: "
            f"{e['points']:g} pts</li>"
            for e in board["entries"]
        )
        choice, label = (
            ("out", "Leave the board") if board["opted_in"] else ("in", "Show me on the board")
        )
        lines.append(
            "<h3>Leaderboard of my cohort</h3>"
            "<p class=meta>Only learners who chose to appear are shown.</p>"
            + (f"<ol class=board>{entries}</ol>" if entries else "<p>Nobody on the board yet.</p>")
            + f"<form method=post>{xsrf}<input type=hidden name=leaderboard value={choice}>"
            f"<button type=submit>{label}</button></form>"
        )
    return f"<section id=rewards><h2>Points</h2>{''.join(lines)}</section>"
