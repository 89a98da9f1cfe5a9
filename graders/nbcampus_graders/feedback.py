"""Feedback HTML with nbgrader's own feedback template, from the learner's view of a notebook."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import nbgrader
from nbconvert.exporters import HTMLExporter
from nbformat import NotebookNode
from nbgrader import utils
from traitlets.config import Config


@cache
def _exporter() -> HTMLExporter:
    root = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    config = Config()
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_basedirs = [str(root / "templates")]
    config.HTMLExporter.extra_template_paths = [
        str(root / "static" / "node_modules" / "bootstrap" / "dist" / "css")
    ]
    return HTMLExporter(config=config)


def feedback_html(nb: NotebookNode, notebook_id: str, cells: list[dict[str, Any]]) -> str:
    by_id = {c["grade_id"]: c for c in cells if c["notebook"] == notebook_id}
    for cell in nb.cells:
        if utils.is_grade(cell) or utils.is_solution(cell) or utils.is_task(cell):
            entry = by_id.get(cell.metadata.nbgrader.get("grade_id"))
            cell.metadata.nbgrader["comment"] = entry.get("comment") if entry else None
            if entry is not None:
                cell.metadata.nbgrader["score"] = entry["points"]
                cell.metadata.nbgrader["points"] = entry["max_points"]
    score = sum((c["points"] or 0.0) for c in by_id.values())
    total = sum(c["max_points"] for c in by_id.values())
    resources = {
        "nbgrader": {"notebook": notebook_id, "score": score, "max_score": total, "late_penalty": 0}
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return body
