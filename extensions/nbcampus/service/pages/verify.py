"""The public verification page: valid, revoked (when and why) or unknown, with the certified
facts. Everything shown is escaped; the page has no script and a strict Content-Security-Policy."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tornado.escape import xhtml_escape

from nbcampus.school.certificates import api as certificates
from nbcampus.school.core.api import readable_if_time
from nbcampus.service.api.certificates import CertificateAPIHandler

CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Certificate check: {title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}}
.status{{padding:1rem 1.2rem;border-radius:.5rem;font-size:1.3rem;font-weight:600;border-left:.5rem solid #1f3a5f}}
.valid{{background:#e8f5e9}} .revoked{{background:#fdecea}} .unknown{{background:#f1f1f1}}
th{{text-align:left;padding:.3rem 1rem .3rem 0;color:#555;font-weight:500}} td{{padding:.3rem 0}}
code{{font-size:.9rem}}</style>
</head><body>
<h1>Certificate check</h1>
<p class="status {status}">{headline}</p>
{body}
<p><small>Checked by {issuer} at the time of this page. Machine-readable: <a href="{json}">JSON</a>.
The signed Open Badges assertion can be checked offline against the
<a href="{key}">issuer's public key</a>.</small></p>
</body></html>
"""

LABELS = [
    ("learner", "Learner"),
    ("course", "Course"),
    ("module", "Module"),
    ("award", "Award"),
    ("format", "Format"),
    ("organisation", "Organisation"),
    ("cohort", "Cohort"),
    ("score", "Score"),
    ("hours", "Hours of effort"),
    ("issued_at", "Issued"),
    ("number", "Number"),
    ("id", "Certificate id"),
]


def _value(key: str, facts: dict[str, Any]) -> str:
    value = facts.get(key)
    if key == "score" and value is not None:
        return f"{value:.1f}%"
    if key == "hours":
        return f"{value:g}"
    if key == "format":
        return str(value).upper()
    if key == "award":
        if value == "badge":
            return "module badge (signed Open Badges assertion)"
        return "module certificate" if facts.get("module") else "course certificate"
    if key == "number":
        return f"{facts['course_id']}-{value:05d}"
    return str(readable_if_time(value))


def render(result: dict[str, Any], *, issuer: str, json_url: str, key_url: str) -> str:
    """The HTML page of a check result (``public.check``)."""
    status = result["status"]
    facts = result.get("certificate") or {}
    if status == "valid":
        headline = "Valid: this certificate was issued and has not been revoked."
    elif status == "revoked":
        headline = (
            f"Revoked on {result['revoked_at'][:10]}: {result.get('reason') or 'no reason given'}"
        )
    else:
        headline = "Unknown: no certificate has this id."
    rows = "".join(
        f"<tr><th>{xhtml_escape(label)}</th><td>{xhtml_escape(_value(key, facts))}</td></tr>"
        for key, label in LABELS
        if facts.get(key) not in (None, "")
    )
    body = (
        f"<table>{rows}</table>"
        if rows
        else f"<p>Id: <code>{xhtml_escape(result['id'])}</code></p>"
    )
    return _PAGE.format(
        title=xhtml_escape(facts.get("course", status)),
        status=status,
        headline=xhtml_escape(headline),
        body=body,
        issuer=xhtml_escape(issuer),
        json=xhtml_escape(json_url),
        key=xhtml_escape(key_url),
    )


class VerifyPage(CertificateAPIHandler):
    """GET /services/nbcampus/verify/{certificate}: the public check as a page (no login)."""

    public = True

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("Referrer-Policy", "no-referrer")

    async def get(self, certificate_id: str) -> None:
        result = await self.in_db(certificates.check, certificate_id)
        self.set_status(404 if result["status"] == "unknown" else 200)
        self.finish(
            render(
                result,
                issuer=self.settings_.issuer_name,
                json_url=self.api_path(f"verify/{quote(certificate_id, safe='')}"),
                key_url=self.api_path("certificates/public-key"),
            )
        )

    def write_error(self, status_code: int, **kwargs) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code}: the certificate check failed")
