"""The instructor dashboard page: the dashboards' data as tables and matplotlib SVG plots.

Served by the service, not by a notebook in the instructor's server: the data and the scope check
stay in one place, no hub token sits in a kernel, and a page view costs no kernel.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tornado.escape import url_escape, xhtml_escape

from nbcampus.school.catalog.api import get_course
from nbcampus.school.progress import api as dashboards
from nbcampus.service.base import PageHandler
from nbcampus.service.pages import html

TITLES = {
    "enrolment": "Enrolment over time",
    "activity": "Activity over time",
    "grades": "Grade distribution per assignment",
    "quiz_items": "Quiz item statistics",
    "at_risk": "Learners at risk",
}


def plot(name: str, rows: list[dict[str, Any]]) -> str:
    """An SVG plot of one section's rows ('' for sections without a plot or without data)."""
    if not rows or name == "at_risk":
        return ""
    fig, ax = html.figure()
    if name == "enrolment":
        days, totals = [r["day"] for r in rows], [r["total"] for r in rows]
        ax.plot(days, totals, marker="o", drawstyle="steps-post")
        ax.set_ylim(0, max(totals) * 1.1)
        ax.set_ylabel("learners enrolled")
    elif name == "activity":
        ax.bar([r["day"] for r in rows], [r["active_learners"] for r in rows])
        ax.set_ylabel("active learners")
    elif name == "grades":
        by_assignment: dict[str, list[float]] = defaultdict(list)
        for r in rows:
            by_assignment[r["assignment"]].append(r["percent"])
        names = sorted(by_assignment)
        ax.boxplot([by_assignment[n] for n in names], tick_labels=names)
        ax.set_ylabel("score (%)")
        ax.set_ylim(0, 100)
    elif name == "quiz_items":
        labels = [r["question"] for r in rows]
        ax.bar(labels, [r["difficulty"] or 0 for r in rows])
        ax.set_ylabel("proportion correct")
        ax.set_ylim(0, 1)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    return html.svg(fig)


def render(course_id: str, title: str, api_url: str, sections: dict[str, list], cohort) -> str:
    parts = []
    query = f"&cohort={url_escape(cohort)}" if cohort else ""
    for name, rows in sections.items():
        csv_url = f"{api_url}courses/{url_escape(course_id)}/dashboard/{name}?format=csv{query}"
        parts.append(
            f"<section id={name}><h2>{TITLES[name]}</h2>"
            f"<div class=plot>{plot(name, rows)}</div>{html.table(rows)}"
            f"<p><a class=csv href='{xhtml_escape(csv_url)}'>Download CSV</a></p></section>"
        )
    scope = f"cohort <code>{xhtml_escape(cohort)}</code>" if cohort else "all cohorts"
    body = (
        f"<h1>{xhtml_escape(title)}</h1><p>Course <code>{xhtml_escape(course_id)}</code> {scope}</p>"
        + "<p><a href=nudges>Nudges: who is at risk, who was nudged, message learners</a></p>"
        + "".join(parts)
    )
    return html.page(f"{title}: dashboard", body)


def gather(session, course_id: str, cohort, idle_days: int) -> tuple[str, dict[str, list]]:
    title = get_course(session, course_id).title
    return title, {
        name: dashboards.section(session, course_id, name, cohort, idle_days)
        for name in dashboards.SECTIONS
    }


class DashboardPage(PageHandler):
    """GET /services/nbcampus/courses/{course}/dashboard: the instructor dashboard (HTML)."""

    async def get(self, course_id: str) -> None:
        self.require("grade", course_id)
        cohort = self.get_argument("cohort", None)
        idle_days = int(self.get_argument("idle_days", "7"))
        title, sections = await self.in_db(gather, course_id, cohort, idle_days)
        page = await self.campus.run(
            render, course_id, title, self.campus.base_url + "api/", sections, cohort
        )
        self.finish_page(page)
