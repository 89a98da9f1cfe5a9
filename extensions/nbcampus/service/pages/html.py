"""HTML pieces shared by the service's staff pages (dashboard, reports): escaped tables, inline
matplotlib SVG plots and the page shell. Everything shown goes through ``xhtml_escape``: names
come from sign-up forms and titles from course files."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from tornado.escape import xhtml_escape

from nbcampus.school.core.api import readable_if_time

#: pages carry no script; inline styles only
CSP = "default-src 'none'; style-src 'unsafe-inline'"

_STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;padding:.2rem .5rem}
section{margin-bottom:2rem}"""


def figure(width: float = 7, height: float = 2.8):
    """A new matplotlib figure and axes on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def svg(fig) -> str:
    """The figure as inline SVG (no XML prolog); the figure is closed."""
    import matplotlib.pyplot as plt

    out = io.StringIO()
    # no creation date in the metadata: the page shows no machine timestamps
    fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = out.getvalue()
    return text[text.index("<svg") :]


def cell(value: Any) -> str:
    """A table cell, escaped; times read as times (no ISO ``T``, no microseconds)."""
    return "" if value is None else xhtml_escape(str(readable_if_time(value)))


def table(rows: list[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """An HTML table of rows (dicts), every header and value escaped."""
    if not rows:
        return "<p class=empty>No data yet.</p>"
    columns = list(columns or rows[0])
    head = "".join(f"<th>{xhtml_escape(k)}</th>" for k in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(r.get(k))}</td>" for k in columns) + "</tr>" for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def page(title: str, body: str) -> str:
    """A whole page: ``title`` is escaped here, ``body`` must already be safe HTML."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{xhtml_escape(title)}</title>
<style>{_STYLE}</style></head><body>
{body}</body></html>"""
