"""The instructors' command line goes through the same API, with the same refusals."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from .conftest import call

pytestmark = pytest.mark.hub


def nbcampus(campus, who, *args):
    env = dict(
        os.environ,
        NBCAMPUS_API_URL=f"{campus.url}services/nbcampus/api/",
        JUPYTERHUB_API_TOKEN=campus.tokens[who],
    )
    return subprocess.run(
        [sys.executable, "-m", "nbcampus", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_instructor_enrols_verifies_extends_and_uploads_a_roster(campus, tmp_path):
    r = nbcampus(campus, "teacher", "enrol", "open-mooc", "cli-learner", "--reason=walk-in")
    assert r.returncode == 0, r.stderr
    assert "cli-learner: enrolled in open-mooc" in r.stdout
    r = nbcampus(campus, "teacher", "verify", "open-mooc", "cli-learner", "--reason=paid")
    assert r.returncode == 0 and "verified track" in r.stdout
    r = nbcampus(
        campus,
        "teacher",
        "extend",
        "open-mooc",
        "ex1",
        "2031-02-03T04:05:06+00:00",
        "--user=cli-learner",
        "--reason=sick",
    )
    assert r.returncode == 0, r.stderr
    assert "now due 2031-02-03T04:05:06+00:00 for cli-learner" in r.stdout
    roster = tmp_path / "roster.csv"
    roster.write_text("username,name\ninvited1,One\ninvited2,Two\n")
    r = nbcampus(campus, "teacher", "roster", "roster-spoc", str(roster))
    assert r.returncode == 0 and "added 2" in r.stdout
    # the invited learner enrols without a code
    token = campus.user_token("invited1", campus.tokens["admin"])
    assert campus.api(token, "POST", "courses/roster-spoc/enrolments", json={}).status_code == 201
    events = call(campus, "teacher", "GET", "courses/open-mooc/audit").json()["events"]
    assert {("enrolment.enrolled", "walk-in"), ("enrolment.track", "paid")} <= {
        (e["action"], e["reason"]) for e in events if e["subject"] == "cli-learner"
    }


def test_cli_shows_the_services_refusal(campus, tmp_path):
    r = nbcampus(campus, "ana", "enrol", "open-mooc", "someone-else")
    assert r.returncode == 1
    assert "error: 403: you may not teach in course 'open-mooc'" in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nx\n")
    r = nbcampus(campus, "teacher", "roster", "spoc", str(bad))
    assert r.returncode == 1 and "roster line 1: the CSV needs a 'username' column" in r.stderr


def test_catalog_listing(campus):
    r = nbcampus(campus, "ana", "catalog")
    assert r.returncode == 0
    lines = {line.split()[0]: line for line in r.stdout.splitlines()}
    assert "seats unlimited" in lines["open-mooc"] and "/25" in lines["spoc"]


def test_instructor_makes_upgrade_codes_a_learner_redeems_one(campus):
    r = nbcampus(campus, "teacher", "vouchers", "open-mooc", "2", "--reason=library gift")
    assert r.returncode == 0, r.stderr
    codes = r.stdout.split()
    assert len(codes) == 2 and all(len(c) == 19 for c in codes)
    name = f"buyer-{uuid.uuid4().hex[:6]}"
    _, signed_up = campus.sign_up(name, "a-long-passphrase-42")
    assert signed_up.status_code == 302, signed_up.text
    token = campus.user_token(name, campus.tokens["admin"])
    assert campus.api(token, "POST", "courses/open-mooc/enrolments", json={}).status_code == 201
    r = campus.api(token, "POST", "courses/open-mooc/upgrade", json={"code": codes[0]})
    assert r.status_code == 201 and r.json()["upgrade"]["state"] == "awaiting verification", r.text
    r = nbcampus(campus, "teacher", "vouchers", "open-mooc", "many")
    assert r.returncode != 0 and "COUNT must be a number" in r.stderr
    r = nbcampus(campus, "bo", "vouchers", "open-mooc", "1")
    assert r.returncode != 0  # a learner may not make codes
