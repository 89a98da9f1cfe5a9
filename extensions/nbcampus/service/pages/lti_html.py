"""The LTI pages' HTML: refusals, the course link and deep linking pickers, the hand-over to
the hub (inside the LMS frame, with an "open in a new window" fallback) and the configuration
page an LMS admin copies URLs from. Every value shown is escaped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tornado.escape import xhtml_escape

_STYLE = """body{font-family:system-ui,sans-serif;max-width:44rem;margin:1.5rem auto;padding:0 1rem;color:#222}
.refused{padding:1rem;border-left:.4rem solid #b3261e;background:#fdecea}
code{font-size:.9rem;word-break:break-all}th{text-align:left;padding:.3rem 1rem .3rem 0}
button{font-size:1rem;padding:.4rem 1rem;margin:.3rem .3rem .3rem 0}"""


def page(title: str, body: str, nonce: str = "") -> str:
    script = (
        f"<script nonce='{nonce}'>document.getElementById('go').submit()</script>" if nonce else ""
    )
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{xhtml_escape(title)}</title>"
        f"<meta name=viewport content='width=device-width, initial-scale=1'><style>{_STYLE}</style>"
        f"</head><body><h1>{xhtml_escape(title)}</h1>{body}{script}</body></html>"
    )


def refused(message: str) -> str:
    return page(
        "This launch was refused",
        f"<p class=refused>{xhtml_escape(message)}</p>"
        "<p>Nothing was changed. Start again from your LMS; if this keeps happening, show this "
        "message to your LMS administrator.</p>",
    )


def hidden(fields: dict[str, str]) -> str:
    return "".join(
        f"<input type=hidden name='{xhtml_escape(k)}' value='{xhtml_escape(v)}'>"
        for k, v in fields.items()
    )


def enter(action: str, ticket: str, title: str, nonce: str) -> str:
    """Hand the ticket to the hub in this frame; the second form opens a new window instead
    (for browsers that refuse the school's cookies inside the LMS frame)."""
    fields = hidden({"ticket": ticket})
    body = (
        f"<p>Opening {xhtml_escape(title)}…</p>"
        f"<form id=go method=post action='{xhtml_escape(action)}'>{fields}"
        "<button>Continue here</button></form>"
        f"<form method=post target=_blank action='{xhtml_escape(action)}'>{fields}"
        "<button>Open in a new window</button></form>"
        "<p><small>If the page stays blank inside your LMS, your browser blocks this school's "
        "cookies in frames: open it in a new window.</small></p>"
    )
    return page("nbcampus", body, nonce)


def link_picker(action: str, launch_id: str, courses: Iterable[tuple[str, str, list[str]]]) -> str:
    """The instructor's first launch: which course and cohort this LMS course is."""
    options = "".join(
        f"<option value='{xhtml_escape(c)}'>{xhtml_escape(t)}</option>" for c, t, _ in courses
    )
    cohorts = sorted({x for _, _, names in courses for x in names})
    cohort_options = "<option value=''>the course's current cohort</option>" + "".join(
        f"<option value='{xhtml_escape(x)}'>{xhtml_escape(x)}</option>" for x in cohorts
    )
    body = (
        "<p>This LMS course is not linked to an nbcampus course yet. Pick the course (and "
        "cohort) its learners join; grades of its exercises and quizzes go to this LMS course.</p>"
        f"<form method=post action='{xhtml_escape(action)}'>{hidden({'launch': launch_id})}"
        f"<p><label>Course <select name=course>{options}</select></label></p>"
        f"<p><label>Cohort <select name=cohort>{cohort_options}</select></label></p>"
        "<button>Link</button></form>"
    )
    return page("Link this LMS course", body)


def deep_link_picker(action: str, launch_id: str, course_id: str, items: list[Any]) -> str:
    """The instructor picks what the new LMS link opens."""
    rows = "".join(
        "<p><label><input type=radio name=choice required "
        f"value='{xhtml_escape(i.kind)}:{xhtml_escape(i.id)}'> {xhtml_escape(i.kind)}: "
        f"{xhtml_escape(i.title)}</label></p>"
        for i in items
    )
    body = (
        f"<form method=post action='{xhtml_escape(action)}'>"
        f"{hidden({'launch': launch_id, 'course': course_id})}{rows}"
        "<button>Add to the LMS course</button></form>"
    )
    return page("Add an nbcampus item", body)


def deep_link_return(url: str, token: str, nonce: str) -> str:
    fields = hidden({"JWT": token})
    return page(
        "Returning to your LMS",
        f"<form id=go method=post action='{xhtml_escape(url)}'>{fields}<button>Return</button></form>",
        nonce,
    )


def configuration(urls: dict[str, str], jwks: str) -> str:
    rows = "".join(
        f"<tr><th>{xhtml_escape(k)}</th><td><code>{xhtml_escape(v)}</code></td></tr>"
        for k, v in urls.items()
    )
    body = (
        "<p>Register nbcampus as an LTI 1.3 tool in your LMS with these values, then send the "
        "school's admin your platform's issuer, client id, deployment id and its login, token and "
        "key set URLs (docs/lti.md).</p>"
        f"<table>{rows}</table><h2>Public key set</h2><pre><code>{xhtml_escape(jwks)}</code></pre>"
    )
    return page("nbcampus as an LTI 1.3 tool", body)
