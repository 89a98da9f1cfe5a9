"""``nbcampus certificates issue|revoke|reissue|approve|verify|export``.

issue, revoke, reissue and approve go through the service API as the instructor (teach scope,
audited under the token's user). verify checks a downloaded signed assertion offline against
the school's public key. export runs next to the service (its database and state folder, where
the signing key is) and renders a cohort's certificates into one ZIP.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import requests
from traitlets import Bool, Integer, Unicode, default
from traitlets.config import Application

from nbcampus.apps.client import APIClientApp


class IssueApp(APIClientApp):
    """Issue certificates to every eligible learner of a course, or to one."""

    name = "nbcampus-certificates-issue"
    description = "nbcampus certificates issue COURSE [--learner=USERNAME]"
    aliases = {**APIClientApp.aliases, "learner": "IssueApp.learner"}

    learner = Unicode("", help="Only this learner.").tag(config=True)

    def start(self) -> None:
        (course,) = self.need_args(1, self.description)
        body = {"learner": self.learner} if self.learner else {}
        result = self.call("POST", f"courses/{course}/certificates", json=body)
        for cert in result["issued"]:
            print(
                f"issued {cert['course_id']}-{cert['number']:05d} to {cert['username']}: {cert['verify_url']}"
            )
        print(
            f"{len(result['issued'])} issued, {len(result['already'])} already certified, "
            f"{len(result['not_eligible'])} not eligible"
        )
        for username, missing in sorted(result["not_eligible"].items()):
            print(f"  {username}: {'; '.join(missing)}")


class RevokeApp(APIClientApp):
    """Revoke a certificate (the reason is shown on the public check and audited)."""

    name = "nbcampus-certificates-revoke"
    description = "nbcampus certificates revoke [--] CERTIFICATE_ID --reason=..."

    def start(self) -> None:
        (cert_id,) = self.need_args(1, self.description)
        if not self.reason.strip():
            print("error: --reason is required to revoke a certificate", file=sys.stderr)
            self.exit(2)
        result = self.call("POST", f"certificates/{cert_id}/revoke", json={"reason": self.reason})
        print(
            f"revoked {result['course_id']}-{result['number']:05d} of {result['username']} at {result['revoked_at']}"
        )


class ReissueApp(APIClientApp):
    """Revoke a certificate and issue its learner a new one with the facts as they are now."""

    name = "nbcampus-certificates-reissue"
    description = "nbcampus certificates reissue [--] CERTIFICATE_ID --reason=..."

    def start(self) -> None:
        (cert_id,) = self.need_args(1, self.description)
        result = self.call("POST", f"certificates/{cert_id}/reissue", json={"reason": self.reason})
        print(f"re-issued as {result['course_id']}-{result['number']:05d}: {result['verify_url']}")


class ApproveApp(APIClientApp):
    """Approve a learner for a course whose certificate needs an instructor's approval."""

    name = "nbcampus-certificates-approve"
    description = "nbcampus certificates approve COURSE USERNAME --reason=..."

    def start(self) -> None:
        course, username = self.need_args(2, self.description)
        result = self.call(
            "POST",
            f"courses/{course}/certificates/approvals/{username}",
            json={"reason": self.reason},
        )
        cert = result["certificate"]
        print(
            f"{username} approved in {course}" + (f"; issued {cert['verify_url']}" if cert else "")
        )


class CheckApp(APIClientApp):
    """Check a downloaded signed assertion (.jws) against the school's public key."""

    name = "nbcampus-certificates-verify"
    description = "nbcampus certificates verify FILE [--public-key=FILE] [--offline]"
    aliases = {**APIClientApp.aliases, "public-key": "CheckApp.public_key"}
    flags = {
        "offline": (
            {"CheckApp": {"offline": True}},
            "Use no network: needs --public-key; revocation is then not checked.",
        )
    }

    public_key = Unicode(
        "",
        help="The school's public key: PEM, JWK, or the JSON of GET /api/certificates/public-key. "
        "Without it the key is fetched once from the service (--url).",
    ).tag(config=True)
    offline = Bool(False, help="Use no network.").tag(config=True)

    def _fail(self, message: str) -> None:
        print(f"INVALID: {message}", file=sys.stderr)
        self.exit(1)

    def start(self) -> None:
        from nbcampus.school.certificates import api as certificates

        (path,) = self.need_args(1, self.description)
        try:
            token = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            self._fail(f"cannot read {path}: {e}")
        if self.public_key:
            try:
                key = certificates.load_public(Path(self.public_key).read_bytes(), self.public_key)
            except (OSError, certificates.SigningKeyError) as e:
                self._fail(str(e))
        elif self.offline:
            print("error: --offline needs --public-key=FILE", file=sys.stderr)
            self.exit(2)
        else:
            key = self._fetch_key()
        try:
            document = certificates.verify(token, key)
        except certificates.InvalidAssertion as e:
            self._fail(f"{path}: {e}")
        facts = document.get("nbcampus:certificate", {})
        status = "signature valid" if self.offline or self.public_key else self._status(facts)
        print(f"VALID ({status}): {path}")
        for name in ("learner", "course", "format", "cohort", "score", "hours", "number", "id"):
            if facts.get(name) is not None:
                print(f"  {name:<8} {facts[name]}")
        print(f"  issued   {document.get('issuedOn')}")
        print(f"  key      {certificates.fingerprint(key)}")

    def _get(self, path: str) -> requests.Response:
        url = self.api_url.rstrip("/") + "/" + path
        try:
            return requests.get(url, timeout=self.timeout)
        except requests.RequestException as e:
            print(f"error: cannot reach {url}: {e} (use --public-key=FILE)", file=sys.stderr)
            self.exit(1)

    def _fetch_key(self):
        from nbcampus.school.certificates import api as certificates

        response = self._get("certificates/public-key")
        if response.status_code != 200:
            self._fail(f"the service gave no public key ({response.status_code})")
        try:
            return certificates.load_public(response.text, "the service's public key")
        except certificates.SigningKeyError as e:
            self._fail(str(e))

    def _status(self, facts: dict) -> str:
        """The service's word on revocation (the signature alone cannot tell)."""
        response = self._get(f"verify/{facts.get('id', '')}")
        result = (
            response.json()
            if response.headers.get("Content-Type", "").startswith("application/json")
            else {}
        )
        if result.get("status") == "revoked":
            self._fail(
                f"certificate {facts.get('id')} was revoked at {result['revoked_at']}: {result.get('reason')}"
            )
        if result.get("status") != "valid":
            self._fail(f"the service does not know certificate {facts.get('id')}")
        return "signature valid, not revoked"


class ExportApp(Application):
    """Write a ZIP of a course's (or cohort's) certificates: PDFs, signed assertions, manifest."""

    name = "nbcampus-certificates-export"
    description = (
        "nbcampus certificates export COURSE [--cohort=C] --output=FILE.zip [--workers=N] "
        "(run next to the service: its database and state folder)"
    )
    aliases = {
        "cohort": "ExportApp.cohort",
        "output": "ExportApp.output",
        "workers": "ExportApp.workers",
        "db-url": "ExportApp.db_url",
        "state-dir": "ExportApp.state_dir",
        "courses-dir": "ExportApp.courses_dir",
        "public-url": "CertificateSettings.public_url",
        "config": "ExportApp.config_file",
    }

    cohort = Unicode("", help="Only this cohort.").tag(config=True)
    output = Unicode("", help="The ZIP file to write.").tag(config=True)
    workers = Integer(0, help="Rendering processes; 0: one per CPU.").tag(config=True)
    state_dir = Unicode(help="The service's state folder (NBCAMPUS_STATE_DIR).").tag(config=True)

    @default("state_dir")
    def _default_state_dir(self) -> str:
        return os.environ.get("NBCAMPUS_STATE_DIR", "var")

    courses_dir = Unicode(help="Course folders, for logos (NBCAMPUS_COURSES_DIR).").tag(config=True)

    @default("courses_dir")
    def _default_courses_dir(self) -> str:
        return os.environ.get("NBCAMPUS_COURSES_DIR", "")

    db_url = Unicode(
        help="Service database; default: NBCAMPUS_DB_URL or SQLite in the state dir."
    ).tag(config=True)

    @default("db_url")
    def _default_db_url(self) -> str:
        from nbcampus.school.core.api import default_db_url

        return default_db_url(self.state_dir)

    config_file = Unicode("", help="A traitlets config file to load (e.g. the service's).").tag(
        config=True
    )

    def start(self) -> None:
        from tqdm import tqdm

        from nbcampus.school.certificates.api import (
            CertificateSettings,
            SigningKeyError,
            export_zip,
        )
        from nbcampus.school.core.api import CampusError, Database

        if self.config_file:
            self.load_config_file(self.config_file)
        if len(self.extra_args) != 1 or not self.output:
            print(f"usage: {self.description}", file=sys.stderr)
            self.exit(2)
        (course,) = self.extra_args
        settings = CertificateSettings(parent=self)
        db = Database(self.db_url)
        try:
            with tqdm(unit="certificate", desc=f"export {course}") as bar:
                result = export_zip(
                    db,
                    settings,
                    course,
                    self.output,
                    cohort=self.cohort or None,
                    workers=self.workers,
                    progress=bar.update,
                )
        except (CampusError, SigningKeyError, OSError) as e:
            print(f"error: {getattr(e, 'message', e)}", file=sys.stderr)
            self.exit(1)
        finally:
            db.dispose()
        print(f"wrote {result.count} certificate(s) to {result.path}")


class CertificatesApp(Application):
    """Certificates: issue, revoke, re-issue, approve, verify, export."""

    name = "nbcampus-certificates"
    description = "Issue, revoke, verify and export certificates."
    subcommands = {
        "issue": (IssueApp, IssueApp.description),
        "revoke": (RevokeApp, RevokeApp.description),
        "reissue": (ReissueApp, ReissueApp.description),
        "approve": (ApproveApp, ApproveApp.description),
        "verify": (CheckApp, CheckApp.description),
        "export": (ExportApp, ExportApp.description),
    }

    def start(self) -> None:
        if self.subapp is None:
            self.print_subcommands()
            self.exit(2)
        super().start()
