"""The report page for training managers and instructors: the cohort lines with plots, and the
first learners' lines (the CSV has them all). Served by the service like the dashboard."""

from __future__ import annotations

from typing import Any

from tornado.escape import url_escape, xhtml_escape

from nbcampus.school.catalog.api import get_course
from nbcampus.school.progress import api as reports
from nbcampus.service.api.progress import course_report, learner_lines
from nbcampus.service.base import PageHandler
from nbcampus.service.pages import html

#: learners shown on the page; the CSV download has every one
PAGE_LEARNERS = 200


def gather(session, course_id: str, cohort: str | None, cohorts) -> dict[str, Any]:
    """Everything the page shows, read in one transaction."""
    report = course_report(session, course_id, cohort, cohorts)
    plan = reports.report_plan(session, course_id)
    return {
        "course": course_id,
        "title": get_course(session, course_id).title,
        "modules": plan.modules,
        "report": report,
        "learner_columns": reports.learner_columns(plan),
        "learners": learner_lines(session, course_id, cohorts, limit=PAGE_LEARNERS),
    }


def plot_cohorts(rows: list[dict[str, Any]]) -> str:
    """Enrolled, active (30 and 7 days) and completed learners per cohort."""
    if not rows:
        return ""
    fig, ax = html.figure()
    names = [r["cohort"] for r in rows]
    width = 0.2
    for i, (key, label) in enumerate(
        [
            ("enrolled", "enrolled"),
            ("active_30d", "active 30 d"),
            ("active_7d", "active 7 d"),
            ("completed", "completed"),
        ]
    ):
        ax.bar(
            [x + (i - 1.5) * width for x in range(len(names))],
            [r[key] or 0 for r in rows],
            width,
            label=label,
        )
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("learners")
    ax.legend(fontsize=8)
    return html.svg(fig)


def plot_modules(total: dict[str, Any], modules: list[str]) -> str:
    """Hours of active time per module."""
    hours = [(total[f"minutes_{m}"] or 0) / 60 for m in modules]
    if not any(hours):
        return ""
    fig, ax = html.figure()
    ax.bar(modules, hours)
    ax.set_ylabel("hours active")
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    return html.svg(fig)


def plot_grades(total: dict[str, Any]) -> str:
    """How many learners scored in each tenth of the course score."""
    counts = [total[f"grades_{low}_{high}"] for low, high in reports.BUCKETS]
    if not any(counts):
        return ""
    fig, ax = html.figure()
    ax.bar([f"{low}–{high}" for low, high in reports.BUCKETS], counts)
    ax.set_xlabel("course score (%)")
    ax.set_ylabel("learners")
    ax.tick_params(axis="x", labelsize=8)
    return html.svg(fig)


def plot_discussion(rows: list[dict[str, Any]]) -> str:
    """Messages, questions asked and answered, and live-session attendance per cohort."""
    keys = [
        ("discussion_messages", "messages"),
        ("questions_asked", "questions asked"),
        ("questions_answered", "questions answered"),
        ("sessions_attended", "sessions attended"),
    ]
    if not any(r.get(key) for r in rows for key, _ in keys):
        return ""
    fig, ax = html.figure()
    names = [r["cohort"] for r in rows]
    width = 0.2
    for i, (key, label) in enumerate(keys):
        ax.bar(
            [x + (i - 1.5) * width for x in range(len(names))],
            [r.get(key) or 0 for r in rows],
            width,
            label=label,
        )
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("count")
    ax.legend(fontsize=8)
    return html.svg(fig)


def gradebook_links(api_url: str, course_id: str) -> str:
    """Downloads of the gradebook for an LMS (staff who grade only: the API refuses others)."""
    base = f"{api_url}courses/{url_escape(course_id)}/gradebook?format="
    links = " · ".join(
        f"<a class=csv href='{xhtml_escape(base + fmt)}'>{name}</a>"
        for fmt, name in (("moodle", "Moodle CSV"), ("canvas", "Canvas CSV"))
    )
    return f"<section id=gradebook><h2>Gradebook</h2><p>For your LMS: {links}</p></section>"


def render(data: dict[str, Any], api_url: str, cohort: str | None, gradebook: bool = False) -> str:
    """The whole page; every name and title escaped; ``gradebook``: the caller grades."""
    course_id, report = data["course"], data["report"]
    total = report["total"]
    query = f"&cohort={url_escape(cohort)}" if cohort else ""
    base = f"{api_url}courses/{url_escape(course_id)}/report"
    cohort_csv = xhtml_escape(f"{base}?format=csv{query}")
    learners_csv = xhtml_escape(f"{base}/learners?format=csv{query}")
    certificates = total["certificates_issued"]
    median = total["median_minutes_to_first_answer"]
    facts = (
        f"<p>Discussion: {total['discussion_messages']} messages, {total['questions_asked']} "
        f"questions ({total['questions_answered']} answered; median time to the first answer: "
        f"{'none yet' if median is None else f'{median} min'}). "
        f"Certificates issued: {'not available' if certificates is None else certificates}.</p>"
    )
    shown, enrolled = len(data["learners"]), total["enrolled"]
    more = f" (the first {shown} of {enrolled})" if shown < enrolled else ""
    scope = f"cohort <code>{xhtml_escape(cohort)}</code>" if cohort else "your cohorts"
    body = f"""<h1>{xhtml_escape(data["title"])}</h1>
<p>Report of course <code>{xhtml_escape(course_id)}</code>, {scope}.</p>
<section id=cohorts><h2>Cohorts</h2><div class=plot>{plot_cohorts(report["cohorts"])}</div>
{html.table(report["cohorts"] + [total], report["columns"])}{facts}
<p><a class=csv href='{cohort_csv}'>Download CSV</a></p></section>
<section id=modules><h2>Time per module</h2>
<div class=plot>{plot_modules(total, data["modules"]) or "<p class=empty>No activity yet.</p>"}</div>
</section>
<section id=discussion><h2>Discussion and live sessions</h2>
<div class=plot>{plot_discussion(report["cohorts"]) or "<p class=empty>No discussion yet.</p>"}</div>
</section>
<section id=grades><h2>Grade distribution</h2>
<div class=plot>{plot_grades(total) or "<p class=empty>No grades yet.</p>"}</div></section>
<section id=learners><h2>Learners{more}</h2>{html.table(data["learners"], data["learner_columns"])}
<p><a class=csv href='{learners_csv}'>Download CSV</a></p></section>"""
    if gradebook:
        body += gradebook_links(api_url, course_id)
    return html.page(f"{data['title']}: report", body)


class ReportPage(PageHandler):
    """GET /services/nbcampus/courses/{course}/report[?cohort=]: the report with plots (HTML)."""

    async def get(self, course_id: str) -> None:
        cohort = self.get_argument("cohort", None)
        cohorts = self.readable_cohorts(course_id, cohort)
        data = await self.in_db(gather, course_id, cohort, cohorts)
        grades = self.permissions is not None and self.permissions.can("grade", course_id)
        page = await self.campus.run(render, data, self.campus.base_url + "api/", cohort, grades)
        self.finish_page(page)
