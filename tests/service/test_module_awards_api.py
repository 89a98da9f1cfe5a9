"""Module badges over HTTP with a real hub (SQLite and PostgreSQL): completing a module with a
reward issues its badge through the hook (a quiz attempt); the learner lists it, downloads its
signed assertion, which verifies against the published key; it has no PDF; the public verify
page shows the display name it was issued with, also after the learner changed it; another
learner cannot fetch it."""

from __future__ import annotations

import re
import uuid
from html import unescape

import requests

from nbcampus.school.certificates import badge, keys
from nbcampus.school.core.db import Database
from nbcampus.testing import add_full_marks
from service.conftest import call

COURSE = "rewards"


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def learner(campus):
    name = f"badge-{uuid.uuid4().hex[:6]}"
    token = campus.user_token(name, campus.tokens["admin"])
    r = campus.api(token, "POST", f"courses/{COURSE}/enrolments", json={})
    assert r.status_code == 201, r.text
    return name, token


def test_a_module_badge_is_issued_listed_signed_and_checked(campus):
    name, token = learner(campus)
    other, other_token = learner(campus)
    r = campus.api(token, "PATCH", "me/profile", json={"display_name": "Léa <Martin>"})
    assert r.status_code == 200, r.text
    db = Database(campus.db_url)
    try:
        with db.session() as session:
            add_full_marks(session, COURSE, name)  # a row: no hook runs
    finally:
        db.dispose()
    assert campus.api(token, "GET", "me/certificates").json()["certificates"] == []
    # the quiz attempt completes the module: the hook issues the badge
    attempt = f"courses/{COURSE}/quizzes/week1-quiz/attempts"
    for who in (token, other_token):
        r = campus.api(who, "POST", attempt, json={"answers": {"q1": 1}})
        assert r.status_code == 201, r.text
    (award,) = campus.api(token, "GET", "me/certificates").json()["certificates"]
    assert (award["module_id"], award["award"], award["pdf_url"]) == ("week1", "badge", None)
    # other attempted the quiz but has no grade: no badge
    assert campus.api(other_token, "GET", "me/certificates").json()["certificates"] == []

    r = campus.api(token, "GET", f"certificates/{award['id']}/assertion")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/jose")
    published = campus.api(None, "GET", "certificates/public-key").json()
    checked = badge.verify(r.text, keys.load_public(published["publicKeyPem"]))
    facts = checked["nbcampus:certificate"]
    assert (facts["learner"], facts["module"], facts["award"]) == ("Léa <Martin>", "week1", "badge")
    # a badge has no PDF; another learner learns nothing of it
    pdf = campus.api(token, "GET", f"certificates/{award['id']}/pdf")
    assert pdf.status_code == 404 and "badge of module week1" in pdf.json()["message"]
    assert (
        campus.api(other_token, "GET", f"certificates/{award['id']}/assertion").status_code == 404
    )

    page = f"{campus.url}services/nbcampus/verify/{award['id']}"
    shown = requests.get(page, timeout=60)
    assert shown.status_code == 200
    assert "&lt;Martin&gt;" in shown.text and "<Martin>" not in shown.text
    text = text_of(shown.text)
    assert "Valid" in text and "Léa <Martin>" in text and "Module week1" not in text
    assert "Module Week 1" in text and "module badge" in text
    # a new name later: the issued badge keeps the name it was issued with
    campus.api(token, "PATCH", "me/profile", json={"display_name": "Léa Dubois"})
    assert "Léa <Martin>" in text_of(requests.get(page, timeout=60).text)
    r = call(
        campus, "teacher", "POST", f"certificates/{award['id']}/revoke", json={"reason": "test"}
    )
    assert r.status_code == 200, r.text
    assert "Revoked on" in text_of(requests.get(page, timeout=60).text)
