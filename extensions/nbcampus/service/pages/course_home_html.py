"""HTML of the course home, for a phone or a browser. Every title and name is escaped here;
announcements' ``html`` is the school's sanitised rendering. No script: links only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from tornado.escape import xhtml_escape as esc

from nbcampus.service.pages.course_home_rewards import rewards_section
from nbcampus.service.pages.discussion_html import error_box, page, when

_STYLE = """<style>.items{list-style:none;padding:0;margin:0}
.items li{display:flex;flex-wrap:wrap;gap:.2rem .6rem;align-items:baseline;
border-bottom:1px solid #eee;padding:.5rem 0}.items a.open{font-weight:600;padding:.3rem 0}
.kind{font-size:.75rem;text-transform:uppercase;color:#555;min-width:4.5rem}
.state{font-size:.85rem;color:#333}.due{font-size:.85rem;color:#7a4b00}
.bar{height:.7rem;background:#e7ecf3;border-radius:.35rem;overflow:hidden;max-width:20rem}
.bar span{display:block;height:100%;background:#1f4fa0}
.next{border-left:.4rem solid #1f4fa0;background:#eef3fb;padding:.4rem .8rem;margin:.6rem 0}
.missing{color:#7a4b00}.ok{color:#2e7d32}a.button{display:inline-block;padding:.6rem 1rem;
background:#1f4fa0;color:#fff;border-radius:.3rem;text-decoration:none;margin:.3rem 0}</style>"""


def time_left(due: datetime, now: datetime) -> str:
    """``in 2 d 5 h``, ``in 3 h 10 min``, ``in 7 min``."""
    minutes = int((due - now).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"in {days} d {hours} h"
    if hours:
        return f"in {hours} h {minutes} min"
    return f"in {minutes} min"


def _open_url(data: dict[str, Any], item: dict[str, Any]) -> str:
    """Where the item opens: a video on its player page, a quiz in Voilà, the rest in
    JupyterLab's file browser."""
    path = quote(item["path"])
    if item["kind"] == "video":  # the service's player page, on a phone as in JupyterLab
        course_id = data["course"]["id"]
        return f"{data['service']}courses/{quote(course_id)}/watch?file={quote(item['file'])}"
    if item["kind"] == "quiz":
        return f"{data['lab']}voila/render/{path}"
    return f"{data['lab']}lab/tree/{path}"


def _item(data: dict[str, Any], item: dict[str, Any]) -> str:
    due = ""
    if item.get("due_at"):
        due = (
            f"<span class=due>due {when(item['due_at'].isoformat(), data.get('time_zone'))}</span>"
        )
    return (
        f'<li class="item" data-kind="{esc(item["kind"])}">'
        f"<span class=kind>{esc(item['kind'])}</span>"
        f'<a class=open href="{esc(_open_url(data, item))}">{esc(item["title"])}</a>'
        f"<span class=state>{esc(item['status'])}</span>{due}</li>"
    )


def _due_next(data: dict[str, Any]) -> str:
    if not data["due_next"]:
        return "<p class=next>Nothing is due: you are up to date.</p>"
    lines = "".join(
        f'<li><a href="{esc(_open_url(data, i))}">{esc(i["title"])}</a> '
        f"<span class=due>{esc(time_left(i['due_at'], data['now']))}</span> "
        f"({when(i['due_at'].isoformat(), data.get('time_zone'))})</li>"
        for i in data["due_next"]
    )
    return f"<div class=next><strong>Due next</strong><ul>{lines}</ul></div>"


def _progress(data: dict[str, Any]) -> str:
    done, total = data["lessons_done"], data["lessons"]
    percent = round(100 * done / total) if total else 0
    score = "" if data["score"] is None else f" · course score {data['score']:g}%"
    resume = ""
    if data["resume"]:
        notebook = data["resume"]["notebook"]
        resume = (
            f'<p><a class="button resume" href="{esc(data["lab"])}lab/tree/{esc(quote(notebook))}">'
            f"Resume: {esc(notebook.rsplit('/', 1)[-1])}</a></p>"
        )
    return (
        f"<section id=progress><h2>Progress</h2>"
        f'<div class=bar role=progressbar aria-label="Lessons done" aria-valuenow="{percent}" aria-valuemin="0" '
        f'aria-valuemax="100"><span style="width:{percent}%"></span></div>'
        f"<p class=meta>{done} of {total} lessons done{esc(score)}</p>{resume}</section>"
    )


def _certificate(data: dict[str, Any]) -> str:
    cert = data["certificate"]
    if cert is None:
        return ""
    rules = cert["rules"]
    asks = [f"a course score of at least {rules['min_score']:g}%"]
    if rules["required_modules"]:
        asks.append("every graded item of " + ", ".join(rules["required_modules"]))
    if rules["verified_only"]:
        asks.append("the verified track")
    if rules["instructor_approval"]:
        asks.append("the instructor's approval")
    standing = (
        "<p class=ok>You meet every rule: your certificate is on its way.</p>"
        if cert["eligible"]
        else "<ul class=missing>" + "".join(f"<li>{esc(m)}</li>" for m in cert["missing"]) + "</ul>"
    )
    return (
        f"<section id=certificate><h2>Certificate</h2><p>It asks for {esc('; '.join(asks))}.</p>"
        f"<p class=meta>Your score so far: {cert['score']:g}%</p>{standing}</section>"
    )


def _news(data: dict[str, Any]) -> str:
    parts = []
    if data["announcements"]:
        parts.append(
            "<section id=announcements><h2>Announcements</h2>"
            + "".join(
                f'<div class="notice"><strong>{esc(a["title"])}</strong>{a["html"]}'
                f"<p class=meta>{when(a['created_at'], data.get('time_zone'))}</p></div>"
                for a in data["announcements"]
            )
            + "</section>"
        )
    if data["sessions"]:
        parts.append(
            "<section id=sessions><h2>Live sessions</h2><ul>"
            + "".join(
                f"<li>{esc(s['title'])} · {when(s['starts_at'], data.get('time_zone'))} · {s['minutes']} min"
                + (
                    f' · <a rel="noopener noreferrer" href="{esc(s["meeting_url"])}">join</a>'
                    if (s.get("meeting_url") or "").startswith(("https://", "http://"))
                    else ""
                )
                + "</li>"
                for s in data["sessions"]
            )
            + "</ul></section>"
        )
    return "".join(parts)


def _track(data: dict[str, Any]) -> str:
    """The verified track: where the learner's upgrade stands, or the form to redeem a code."""
    if not data["verified_track"]:
        return ""
    upgrade = data["upgrade"]
    if data["track"] == "verified":
        state = "<p class=ok>You are on the verified track.</p>"
    elif upgrade and upgrade["state"] == "awaiting verification":
        state = (
            "<p class=upgrade-state>Upgrade paid, awaiting identity verification by the staff "
            f"(since {when(upgrade['requested_at'], data.get('time_zone'))}).</p>"
        )
    else:
        refused = ""
        if upgrade and upgrade["state"] == "refused":
            refused = f"<p class=missing>Identity not verified: {esc(upgrade['reason'] or '')}</p>"
        state = (
            f"{refused}<p>The verified track leads to the certificate. Have an upgrade code?</p>"
            f"<form method=post>{data['xsrf']}<label>Upgrade code "
            "<input type=text name=code autocomplete=off maxlength=64 required></label>"
            "<button type=submit>Upgrade</button></form>"
        )
    return f"<section id=track><h2>Verified track</h2>{state}</section>"


def _reward(data: dict[str, Any], module: dict[str, Any]) -> str:
    """A module's badge or certificate: earned (with its public check), or what it asks."""
    reward = module.get("reward")
    if not reward:
        return ""
    what = "badge" if reward["award"] == "badge" else "module certificate"
    if reward["earned"]:
        check = f"{data['service']}verify/{quote(reward['earned'])}"
        return (
            f'<p class="reward ok">Your {what} is issued: <a href="{esc(check)}">check it</a>.</p>'
        )
    asks = "complete every exercise and the quiz"
    if reward["min_score"]:
        asks += f" with {reward['min_score']:g}% of the module's points"
    return f"<p class=reward>This module gives a {what}: {esc(asks)}.</p>"


def home_page(data: dict[str, Any]) -> str:
    course = data["course"]
    where = [course["format"].upper(), f"{data['track']} track"]
    if data["cohort"]:
        where.append(f"cohort {data['cohort']}")
    outline = "".join(
        f'<section class=module id="module-{esc(m["id"])}"><h2>'
        f"{'Week ' + esc(str(m['week'])) + ': ' if m['week'] else ''}{esc(m['title'])}</h2>"
        f"{_reward(data, m)}"
        f"<ul class=items>{''.join(_item(data, i) for i in m['items'])}</ul></section>"
        for m in data["modules"]
    )
    discussion = f"{data['service']}courses/{quote(course['id'])}/discussion"
    body = (
        f'{_STYLE}<nav class=back><a href="{esc(data["service"])}">My courses</a></nav>'
        f"<h1>{esc(course['title'])}</h1><p class=meta>{esc(' · '.join(where))}</p>"
        f'<p><a class=button href="{esc(data["lab"])}lab">Open in JupyterLab</a> '
        f'<a href="{esc(discussion)}">Discussion</a></p>'
        + (f"<p class=notice role=status>{esc(data['notice'])}</p>" if data.get("notice") else "")
        + error_box(data.get("error"))
        + f"{_due_next(data)}{_progress(data)}"
        + rewards_section(data.get("rewards"), data["xsrf"])
        + f"{_news(data)}{outline}{_certificate(data)}"
        + _track(data)
    )
    return page(course["title"], body)
