"""Certificates through a real hub and service: who may issue, revoke and see what; downloads; the
public check without a login; the command line (issue, revoke, offline verify, export)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
import zipfile

import pytest
import requests

from nbcampus.school.core.db import Database
from nbcampus.testing import add_full_marks

from .conftest import call

pytestmark = pytest.mark.hub

QUIZ = "courses/open-mooc/quizzes/week1-quiz/attempts"
LISTING_KEYS = {
    "id",
    "course_id",
    "number",
    "issued_at",
    "revoked_at",
    "module_id",
    "award",
    "pdf_url",
    "assertion_url",
    "verify_url",
}


def nbcampus(campus, token, *args):
    env = dict(
        os.environ,
        NBCAMPUS_API_URL=f"{campus.url}services/nbcampus/api/",
        JUPYTERHUB_API_TOKEN=token or "",
    )
    return subprocess.run(
        [sys.executable, "-m", "nbcampus", "certificates", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def full_marks_on_ex1(campus, username):
    """A graded ex1 at full marks, written into the service database (the test hub runs no
    grader)."""
    db = Database(campus.db_url)
    try:
        with db.session() as session:
            add_full_marks(session, "open-mooc", username)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def people(campus):
    """Two fresh learners of open-mooc on the verified track: ``winner`` earned a certificate
    (issued automatically by their quiz attempt), ``other`` did not."""
    suffix = uuid.uuid4().hex[:6]
    tokens = {}
    for role in ("winner", "other"):
        name = f"cert-{role}-{suffix}"
        tokens[role] = (name, campus.user_token(name, campus.tokens["admin"]))
        r = campus.api(tokens[role][1], "POST", "courses/open-mooc/enrolments", json={})
        assert r.status_code == 201, r.text
        r = call(
            campus,
            "teacher",
            "PATCH",
            f"courses/open-mooc/enrolments/{name}",
            json={"track": "verified", "reason": "paid"},
        )
        assert r.status_code == 200, r.text
    full_marks_on_ex1(campus, tokens["winner"][0])
    for role in ("winner", "other"):
        r = campus.api(tokens[role][1], "POST", QUIZ, json={"answers": {"q1": 1}})
        assert r.status_code == 201, r.text
    return tokens


def mine(campus, token):
    r = campus.api(token, "GET", "me/certificates")
    assert r.status_code == 200, r.text
    return r.json()["certificates"]


def test_a_learner_sees_only_their_own_certificate(campus, people):
    wtoken, otoken = people["winner"][1], people["other"][1]
    (cert,) = mine(campus, wtoken)
    assert set(cert) == LISTING_KEYS and cert["course_id"] == "open-mooc"
    assert cert["revoked_at"] is None
    assert (cert["module_id"], cert["award"]) == (None, "certificate")  # the course's own
    assert cert["verify_url"] == f"{campus.url}services/nbcampus/verify/{cert['id']}"
    assert mine(campus, otoken) == []
    pdf = requests.get(campus.url.rstrip("/") + cert["pdf_url"], headers=_auth(wtoken), timeout=60)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    for url in (cert["pdf_url"], cert["assertion_url"]):
        stolen = requests.get(campus.url.rstrip("/") + url, headers=_auth(otoken), timeout=60)
        assert stolen.status_code == 404, url
    # staff of the course may download it; the TA of open-mooc does not staff "other"
    staff = requests.get(
        campus.url.rstrip("/") + cert["assertion_url"],
        headers=_auth(campus.tokens["ta"]),
        timeout=60,
    )
    assert staff.status_code == 200 and staff.text.count(".") == 2


def _auth(token):
    return {"Authorization": f"token {token}"}


def test_the_panels_pdf_link_opens_in_a_browser_that_only_logged_in_to_the_hub(campus):
    """The panel's "PDF" link is followed by a browser holding the hub's cookie only (no
    service cookie yet, no token): it must go through the hub's OAuth, not answer 401."""
    name = f"cert-browser-{uuid.uuid4().hex[:6]}"
    password = "a-long-passphrase-42"
    _, signed_up = campus.sign_up(name, password)
    assert signed_up.status_code == 302, signed_up.text  # signed in and sent on
    token = campus.user_token(name, campus.tokens["admin"])
    r = campus.api(token, "POST", "courses/open-mooc/enrolments", json={})
    assert r.status_code == 201, r.text
    r = call(
        campus,
        "teacher",
        "PATCH",
        f"courses/open-mooc/enrolments/{name}",
        json={"track": "verified", "reason": "paid"},
    )
    assert r.status_code == 200, r.text
    full_marks_on_ex1(campus, name)
    assert campus.api(token, "POST", QUIZ, json={"answers": {"q1": 1}}).status_code == 201
    (cert,) = mine(campus, token)
    link = campus.url.rstrip("/") + cert["pdf_url"]

    browser = campus.login(name, password)
    pdf = browser.get(link, timeout=60)
    assert pdf.status_code == 200, (pdf.status_code, pdf.text[:300])
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    # another learner's browser, logged in the same way, learns nothing
    stranger = campus.login("cy").get(link, timeout=60)
    assert stranger.status_code == 404 and b"%PDF" not in stranger.content


def test_learners_and_tas_may_not_issue_or_revoke(campus, people):
    (winner, wtoken), (other, otoken) = people["winner"], people["other"]
    (cert,) = mine(campus, wtoken)
    for who in (otoken, campus.tokens["ta"]):
        r = campus.api(who, "POST", "courses/open-mooc/certificates", json={"learner": other})
        assert r.status_code == 403, r.text
        r = campus.api(who, "POST", f"certificates/{cert['id']}/revoke", json={"reason": "mine"})
        assert r.status_code == 403 and "may not teach" in r.json()["message"]
        r = campus.api(who, "POST", f"certificates/{cert['id']}/reissue", json={"reason": "x"})
        assert r.status_code == 403
    r = campus.api(otoken, "POST", f"courses/open-mooc/certificates/approvals/{other}", json={})
    assert r.status_code == 403
    # the instructor's issue for someone not eligible says why
    r = call(campus, "teacher", "POST", "courses/open-mooc/certificates", json={"learner": other})
    assert r.status_code == 409
    assert r.json()["message"] == f"{other} is not eligible: score 30.0% is below the 50% required"
    listing = call(campus, "teacher", "GET", "courses/open-mooc/certificates").json()
    assert [c["username"] for c in listing["certificates"] if c["id"] == cert["id"]] == [winner]
    elig = call(
        campus, "ta", "GET", f"courses/open-mooc/certificates/eligibility?learner={other}"
    ).json()
    assert elig["learners"][0]["eligible"] is False and elig["learners"][0]["score"] == 30.0


def test_the_public_check_needs_no_login_and_escapes(campus, people):
    (cert,) = mine(campus, people["winner"][1])
    page = requests.get(cert["verify_url"], timeout=60)
    assert page.status_code == 200 and "Valid: this certificate was issued" in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "Course open-mooc" in page.text and people["winner"][0] in page.text
    facts = call(campus, None, "GET", f"verify/{cert['id']}").json()
    assert facts["status"] == "valid" and facts["certificate"]["score"] == 100.0
    assert facts["certificate"]["hours"] == 4.0
    evil = requests.get(
        f"{campus.url}services/nbcampus/verify/%3Cscript%3Ealert(1)%3C%2Fscript%3E", timeout=60
    )
    assert evil.status_code == 404 and "Unknown: no certificate has this id" in evil.text
    assert "<script>" not in evil.text and "&lt;script&gt;" in evil.text
    unknown = call(campus, None, "GET", "verify/" + "Z" * 24)
    assert unknown.status_code == 404 and unknown.json()["status"] == "unknown"
    key = call(campus, None, "GET", "certificates/public-key").json()
    assert key["type"] == "CryptographicKey" and "PRIVATE" not in json.dumps(key)
    assert call(campus, None, "GET", "certificates/issuer").json()["publicKey"] == key["id"]


def test_cli_verifies_offline_revokes_reissues_and_exports(campus, people, tmp_path):
    (winner, wtoken), (other, otoken) = people["winner"], people["other"]
    (cert,) = mine(campus, wtoken)
    jws = tmp_path / "mine.jws"
    jws.write_text(campus.api(wtoken, "GET", f"certificates/{cert['id']}/assertion").text)
    key = tmp_path / "school.json"
    key.write_text(call(campus, None, "GET", "certificates/public-key").text)

    ok = nbcampus(campus, None, "verify", str(jws), f"--public-key={key}", "--offline")
    assert ok.returncode == 0, ok.stderr
    assert "VALID (signature valid)" in ok.stdout and winner in ok.stdout
    # altered: the score raised in the payload, the signature kept
    header, payload, signature = jws.read_text().split(".")
    doc = json.loads(base64.urlsafe_b64decode(payload + "=="))
    doc["nbcampus:certificate"]["learner"] = other
    forged = base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()
    (tmp_path / "altered.jws").write_text(f"{header}.{forged}.{signature}")
    (tmp_path / "stripped.jws").write_text(f"{header}.{payload}.")
    for name, message in (
        ("altered.jws", "altered after it was signed"),
        ("stripped.jws", "signature part of the JWS is empty"),
    ):
        bad = nbcampus(campus, None, "verify", str(tmp_path / name), f"--public-key={key}")
        assert bad.returncode == 1 and message in bad.stderr, bad.stderr

    # a learner may not revoke; the instructor must give a reason, then it is revoked
    assert nbcampus(campus, otoken, "revoke", cert["id"], "--reason=x").returncode == 1
    assert nbcampus(campus, campus.tokens["teacher"], "revoke", cert["id"]).returncode == 2
    r = nbcampus(campus, campus.tokens["teacher"], "revoke", cert["id"], "--reason=cheating")
    assert r.returncode == 0 and "revoked open-mooc-" in r.stdout, r.stderr
    # online, the key fetched from the service: the revocation is found
    revoked = nbcampus(campus, None, "verify", str(jws))
    assert revoked.returncode == 1 and "was revoked at" in revoked.stderr
    assert "cheating" in revoked.stderr
    page = requests.get(cert["verify_url"], timeout=60)
    assert "Revoked on" in page.text and "cheating" in page.text

    # bulk issue gives the winner a new certificate; the export holds it
    issued = nbcampus(campus, campus.tokens["teacher"], "issue", "open-mooc")
    assert issued.returncode == 0 and f"to {winner}" in issued.stdout, issued.stderr
    assert f"{other}: score 30.0% is below" in issued.stdout
    listing = mine(campus, wtoken)
    assert len(listing) == 2 and sum(c["revoked_at"] is None for c in listing) == 1
    # re-issue (API): the live one is revoked and replaced by a new id and number
    (live,) = [c for c in listing if c["revoked_at"] is None]
    r = call(
        campus, "teacher", "POST", f"certificates/{live['id']}/reissue", json={"reason": "typo"}
    )
    assert r.status_code == 201 and r.json()["replaces"] == live["id"], r.text
    assert r.json()["number"] > live["number"]
    assert call(campus, None, "GET", f"verify/{live['id']}").json()["reason"] == "re-issued: typo"
    # approval by the instructor is audited (the course does not need it: nothing else changes)
    r = call(
        campus,
        "teacher",
        "POST",
        f"courses/open-mooc/certificates/approvals/{other}",
        json={"reason": "project seen"},
    )
    assert r.status_code == 201 and r.json()["certificate"] is None, r.text
    events = call(campus, "teacher", "GET", "courses/open-mooc/audit").json()["events"]
    actions = {(e["action"], e["subject"]) for e in events}
    assert {("certificate.approve", other), ("certificate.revoke", winner)} <= actions
    out = tmp_path / "export.zip"
    export = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbcampus",
            "certificates",
            "export",
            "open-mooc",
            "--cohort",
            "self-paced",
            f"--output={out}",
            f"--db-url={campus.db_url}",
            f"--state-dir={campus.state_dir}",
            "--workers=1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert export.returncode == 0, export.stderr
    with zipfile.ZipFile(out) as archive:
        manifest = archive.read("manifest.csv").decode()
        assert winner in manifest and cert["id"] not in manifest  # the revoked one is left out
        names = archive.namelist()
    assert any(n.endswith(".pdf") for n in names) and any(n.endswith(".jws") for n in names)
