"""HTML of the discussion pages: a course's threads and one thread, for a phone or a browser.

Every name, title and text is escaped here; the only HTML inserted as it is comes from the
school (a post's or an announcement's ``html``, rendered from markdown and sanitised by nh3).
No script: the pages work with forms and links only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from tornado.escape import xhtml_escape as esc

from nbcampus.service.pages.html import CSP as STAFF_CSP

#: no script, no frames; forms post to the service only
CSP = f"{STAFF_CSP}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

#: the list filters, as the API's query arguments
FILTERS = ("module", "item", "kind", "unanswered", "followed", "q")

_STYLE = """*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:.8rem;
line-height:1.5;color:#222;overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin-top:1.5rem}
a{color:#1f4fa0}pre{overflow-x:auto;max-width:100%;background:#f5f6f8;padding:.6rem;
white-space:pre;overflow-wrap:normal}code{font-size:.9em}img{max-width:100%}
table{display:block;overflow-x:auto;max-width:100%}
input,select,textarea,button{font:inherit;max-width:100%;min-height:2.75rem}
input[type=checkbox]{min-height:auto;width:1.4rem;height:1.4rem;vertical-align:middle}
input[type=text],input[type=search],textarea,select{width:100%;padding:.4rem}
textarea{min-height:8rem}button{padding:.5rem 1.2rem;cursor:pointer}
label{display:block;margin:.5rem 0}label.check{display:flex;gap:.5rem;align-items:center}
.threads{list-style:none;padding:0}.threads li{border-bottom:1px solid #ddd;padding:.4rem 0}
.threads a.title{display:block;padding:.5rem 0;font-size:1.05rem;font-weight:600}
.meta{color:#555;font-size:.85rem}.handle{color:#555;font-weight:normal;font-size:.85em}.badge{display:inline-block;padding:0 .4rem;
border-radius:.3rem;background:#e7ecf3;font-size:.8rem;margin-right:.3rem}
.unread{background:#1f4fa0;color:#fff}.pinned{background:#fff3c4}.closed{background:#eee}
.post{border-left:3px solid #ccd;padding:.2rem 0 .2rem .7rem;margin:.8rem 0}
.post.depth-2{margin-left:1.2rem}.post.accepted{border-left-color:#2e7d32;background:#eef7ee}
.post.hidden{opacity:.65}.post.new{border-left-color:#1f4fa0}
.notice{padding:.6rem .8rem;margin:.8rem 0;border-left:.4rem solid #1f4fa0;background:#eef3fb}
.error{border-left-color:#b00020;background:#fdecea}
nav.pages a,nav.back a{display:inline-block;padding:.7rem 1rem .7rem 0}
details summary{padding:.6rem 0;cursor:pointer}fieldset{border:1px solid #ddd;padding:.6rem}
.cell{border:1px solid #ddd;padding:.4rem;margin:.8rem 0}"""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def page(title: str, body: str) -> str:
    """A whole page: ``title`` is escaped here, ``body`` must already be safe HTML."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<style>{_STYLE}</style></head><body>
{body}</body></html>"""


def when(value: str | None, zone: str | None = None) -> str:
    """A ``<time>`` element in UTC (a stored time without a zone is UTC), or shown in the
    learner's IANA time ``zone`` (their profile's) with its abbreviation."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    shown = moment.strftime("%Y-%m-%d %H:%M UTC")
    if zone:
        local = moment.astimezone(ZoneInfo(zone))
        shown = local.strftime("%Y-%m-%d %H:%M ") + esc(local.tzname() or zone)
    return f'<time datetime="{esc(moment.isoformat())}">{shown}</time>'


def author(entry: dict[str, Any]) -> str:
    """The name shown for an author (escaped), with their username when the two differ: a
    display name is the learner's choice, so it cannot pass for someone else's."""
    name = esc(entry["author_name"])
    if entry["author_name"] == entry["author"]:
        return name
    return f"{name} <span class=handle>@{esc(entry['author'])}</span>"


def error_box(message: str | None) -> str:
    return f'<p class="notice error" role="alert">{esc(message)}</p>' if message else ""


def place_of(thread: dict[str, Any]) -> str:
    if thread["item"]:
        return f"{thread['module']} / {thread['item']}"
    return thread["module"] or "whole course"


def badges(thread: dict[str, Any]) -> str:
    out = [f'<span class="badge">{esc(thread["kind"])}</span>']
    if thread["pinned"]:
        out.append('<span class="badge pinned">pinned</span>')
    if thread["closed"]:
        out.append('<span class="badge closed">closed</span>')
    if thread["private"]:
        out.append('<span class="badge">private to the staff</span>')
    if thread["kind"] == "question":
        out.append(
            f'<span class="badge">{"answered" if thread["answered"] else "unanswered"}</span>'
        )
    if thread.get("unread"):
        out.append(f'<span class="badge unread">{thread["unread"]} unread</span>')
    return "".join(out)


# --- the list ----------------------------------------------------------------------------


def _options(choices: list[tuple[str, str]], current: str | None) -> str:
    return "".join(
        f'<option value="{esc(v)}"{" selected" if v == (current or "") else ""}>{esc(label)}</option>'
        for v, label in choices
    )


def filter_form(modules: list[tuple[str, str]], filters: dict[str, str]) -> str:
    module_choices = [("", "all modules"), *modules]
    kinds = [
        ("", "questions and discussions"),
        ("question", "questions"),
        ("discussion", "discussions"),
    ]
    checks = "".join(
        f'<label class="check"><input type="checkbox" name="{name}" value="true"'
        f"{' checked' if filters.get(name) == 'true' else ''}> {label}</label>"
        for name, label in (
            ("unanswered", "unanswered questions"),
            ("followed", "threads I follow"),
        )
    )
    return f"""<details{" open" if filters else ""}><summary>Filter and search</summary>
<form method="get" class="filters">
<label>Search <input type="search" name="q" maxlength="200" value="{esc(filters.get("q", ""))}"></label>
<label>Module <select name="module">{_options(module_choices, filters.get("module"))}</select></label>
<label>Item (assignment, quiz, lesson file)
<input type="text" name="item" maxlength="300" value="{esc(filters.get("item", ""))}"></label>
<label>Kind <select name="kind">{_options(kinds, filters.get("kind"))}</select></label>
{checks}<button type="submit">Show</button> <a href="?">clear</a></form></details>"""


def thread_item(thread: dict[str, Any], base: str) -> str:
    replies = thread["replies"]
    return (
        f'<li class="thread"><a class="title" href="{esc(base)}/{thread["id"]}">'
        f"{esc(thread['title'])}</a>{badges(thread)}<div class=meta>{esc(place_of(thread))} · "
        f"by {author(thread)} · {replies} repl{'y' if replies == 1 else 'ies'} · "
        f"{thread['votes']} votes · last activity {when(thread['last_activity_at'])}</div></li>"
    )


def pagination(total: int, limit: int, offset: int, filters: dict[str, str]) -> str:
    def link(new_offset: int, label: str) -> str:
        query = urlencode({**filters, "limit": limit, "offset": new_offset})
        return f'<a href="?{esc(query)}">{label}</a>'

    parts = []
    if offset > 0:
        parts.append(link(max(offset - limit, 0), "← newer"))
    if offset + limit < total:
        parts.append(link(offset + limit, "older →"))
    shown = f"{offset + 1}–{min(offset + limit, total)} of {total}" if total else "0"
    return f'<nav class="pages"><span class=meta>threads {shown}</span> {" ".join(parts)}</nav>'


def announcement_items(found: list[dict[str, Any]]) -> str:
    if not found:
        return ""
    items = "".join(
        f"<article class=notice><h3>{esc(a['title'])}</h3>{a['html']}"
        f"<div class=meta>{author(a)} · {when(a['created_at'])}"
        f"{' · cohort ' + esc(a['cohort']) if a['cohort'] else ''}</div></article>"
        for a in found
    )
    return f"<section id=announcements><h2>Announcements</h2>{items}</section>"


def session_items(found: list[dict[str, Any]]) -> str:
    if not found:
        return ""
    items = "".join(
        f"<li><strong>{esc(s['title'])}</strong> {when(s['starts_at'])}, {s['minutes']} min"
        f"{' (cohort ' + esc(s['cohort']) + ')' if s['cohort'] else ''} · "
        f'<a href="{esc(s["meeting_url"])}" rel="noopener noreferrer">join</a></li>'
        for s in found
    )
    return f"<section id=sessions><h2>Upcoming live sessions</h2><ul>{items}</ul></section>"


def new_thread_form(xsrf: str, modules: list[tuple[str, str]], form: dict[str, str]) -> str:
    kinds = [("question", "a question"), ("discussion", "a discussion")]
    module_choices = [("", "the whole course"), *modules]
    private = " checked" if form.get("private") == "true" else ""
    return f"""<details id=new{" open" if form else ""}><summary>Start a new thread</summary>
<form method="post">{xsrf}
<label>Title <input type="text" name="title" required maxlength="300" value="{esc(form.get("title", ""))}"></label>
<label>Text (markdown) <textarea name="body" required maxlength="20000">{esc(form.get("body", ""))}</textarea></label>
<label>This is <select name="kind">{_options(kinds, form.get("kind", "question"))}</select></label>
<label>About <select name="module">{_options(module_choices, form.get("module"))}</select></label>
<label class="check"><input type="checkbox" name="private" value="true"{private}>
private question to the staff</label>
<button type="submit">Post the thread</button></form></details>"""


def list_page(data: dict[str, Any], *, base: str, xsrf: str, error: str | None = None) -> str:
    """The course's threads with its announcements and sessions on top."""
    listing, filters = data["listing"], data["filters"]
    threads = "".join(thread_item(t, base) for t in listing["threads"])
    body = f"""<nav class=back><a href="{esc(data["home"])}">nbcampus</a></nav>
<h1>{esc(data["title"])}: discussion</h1>
<p class=meta>Signed in as {esc(data["username"])} · {listing["unread"]} unread posts in this course</p>
{error_box(error)}{announcement_items(data["announcements"])}{session_items(data["sessions"])}
<section id=threads><h2>Threads</h2>{filter_form(data["modules"], filters)}
<ul class=threads>{threads or "<li>No threads here yet.</li>"}</ul>
{pagination(listing["total"], data["limit"], data["offset"], filters)}</section>
<section>{new_thread_form(xsrf, data["modules"], data.get("form") or {})}</section>"""
    return page(f"{data['title']}: discussion", body)


# --- one thread --------------------------------------------------------------------------


def cell_snapshot(cell: dict[str, Any] | None) -> str:
    """The notebook cell a question is about: source and text outputs, all escaped."""
    if not cell:
        return ""
    where = " · ".join(filter(None, [cell.get("notebook"), cell.get("cell_id")]))
    count = cell.get("execution_count")
    outputs = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            outputs.append(f'<pre class="output {esc(out["name"])}">{esc(out["text"])}</pre>')
        elif kind in ("execute_result", "display_data"):
            if "text/plain" in out.get("data", {}):
                outputs.append(f"<pre class=output>{esc(out['data']['text/plain'])}</pre>")
            elif "image/png" in out.get("data", {}):
                outputs.append("<p class=meta>(a picture, not shown here)</p>")
        elif kind == "error":
            trace = _ANSI.sub("", "\n".join(out.get("traceback") or []))
            text = trace or f"{out.get('ename', '')}: {out.get('evalue', '')}"
            outputs.append(f"<pre class=output>{esc(text)}</pre>")
    prompt = f"In [{count}]" if count is not None else esc(cell.get("cell_type", ""))
    return (
        f"<section class=cell><div class=meta>The cell asked about ({esc(where or 'notebook')}), "
        f"{prompt}</div><pre><code>{esc(cell.get('source', ''))}</code></pre>"
        f"{''.join(outputs)}</section>"
    )


def post_block(post: dict[str, Any], accepted: int | None, new: bool, inner: str = "") -> str:
    classes = ["post", f"depth-{post['depth']}"]
    marks = []
    if post["id"] == accepted:
        classes.append("accepted")
        marks.append('<span class="badge">✔ accepted answer</span>')
    if post["hidden"]:
        classes.append("hidden")
        reason = post.get("hide_reason")
        marks.append(f'<span class="badge">hidden{": " + esc(reason) if reason else ""}</span>')
    if new:
        classes.append("new")
        marks.append('<span class="badge unread">new</span>')
    edited = " · edited" if post["edited_at"] else ""
    return (
        f'<article class="{" ".join(classes)}" id="post-{post["id"]}">'
        f"<div class=meta>{''.join(marks)}<strong>{author(post)}</strong> · "
        f"{when(post['created_at'])}{edited} · {post['votes']} votes</div>"
        f"<div class=body>{post['html']}</div>{inner}</article>"
    )


def comment_form(xsrf: str, parent_id: int) -> str:
    return f"""<details><summary>Comment</summary><form method="post">{xsrf}
<input type="hidden" name="parent_id" value="{parent_id}">
<label>Comment (markdown) <textarea name="body" required maxlength="20000"></textarea></label>
<button type="submit">Post the comment</button></form></details>"""


def posts_tree(thread: dict[str, Any], xsrf: str) -> str:
    """The opening post, then each reply with its comments under it (two levels)."""
    posts = thread["posts"]
    new = {p["id"] for p in posts[len(posts) - thread["unread"] :]} if thread["unread"] else set()
    accepted = thread["accepted_post_id"]
    comments: dict[int, list[dict[str, Any]]] = {}
    for p in posts:
        if p["depth"] == 2:
            comments.setdefault(p["parent_id"], []).append(p)
    out = []
    for p in posts:
        if p["depth"] == 0:
            out.append(post_block(p, accepted, p["id"] in new))
        elif p["depth"] == 1:
            inner = "".join(
                post_block(c, accepted, c["id"] in new) for c in comments.get(p["id"], [])
            )
            if not thread["closed"]:
                inner += comment_form(xsrf, p["id"])
            out.append(post_block(p, accepted, p["id"] in new, inner))
    return "".join(out)


def thread_page(
    data: dict[str, Any], *, list_url: str, xsrf: str, error: str | None = None, draft: str = ""
) -> str:
    """One thread with its posts, and the reply form (or why the thread is closed)."""
    thread = data["thread"]
    if thread["closed"]:
        reply = f'<p class="notice">This thread is closed: {esc(thread["close_reason"] or "")}</p>'
    else:
        reply = f"""<form method="post" id=reply>{xsrf}
<label>Your reply (markdown) <textarea name="body" required maxlength="20000">{esc(draft)}</textarea></label>
<button type="submit">Post the reply</button></form>"""
    body = f"""<nav class=back><a href="{esc(list_url)}">← {esc(data["title"])}: discussion</a></nav>
<h1>{esc(thread["title"])}</h1>
<p>{badges(thread)}</p>
<p class=meta>{esc(place_of(thread))} · started by {author(thread)} {when(thread["created_at"])}
· {thread["votes"]} votes</p>
{cell_snapshot(thread.get("cell"))}
<section id=posts>{posts_tree(thread, xsrf)}</section>
<section><h2>Reply</h2>{error_box(error)}{reply}</section>"""
    return page(thread["title"], body)


def error_page(status: int, message: str, back: str) -> str:
    body = (
        f'<h1>{status}</h1>{error_box(message)}<nav class=back><a href="{esc(back)}">back</a></nav>'
    )
    return page(f"{status}", body)
