"""Issue 17, defect 1, on the demo school: signing up with a username that looks like an address
of the company no longer admits anyone to the company's COOC (nor to its branded certificate);
the refusal says how to get in."""

from __future__ import annotations

import uuid

import pytest
from test_browser_courses import sign_up

pytestmark = pytest.mark.hub


def test_a_username_at_the_company_domain_is_not_admitted(school):
    name = f"mallory-{uuid.uuid4().hex[:5]}@acme.example"
    sign_up(school, name)
    token = school.user_token(name, school.token("admin"))
    r = school.api(token, "POST", "courses/acme-secure-coding/enrolments", json={})
    assert r.status_code == 403, r.text
    assert "confirm an address of your organisation" in r.json()["message"]
    enrolments = school.api(token, "GET", "me/enrolments").json()["enrolments"]
    assert [e["course"] for e in enrolments] == []
