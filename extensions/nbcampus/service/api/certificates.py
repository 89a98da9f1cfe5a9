"""Certificates: a learner's own, staff issue/approve/revoke/re-issue, downloads, and the public
check (no login) as JSON and as an HTML page."""

from __future__ import annotations

from typing import Any

from tornado import web

from nbcampus.school.catalog.api import get_course
from nbcampus.school.certificates import api as certificates
from nbcampus.school.certificates.api import Certificate, evaluate
from nbcampus.service.base import APIHandler


class CertificateAPIHandler(APIHandler):
    """Shared helpers: the school's settings and key, and who may see a certificate."""

    @property
    def settings_(self):
        return self.campus.certificates

    def api_path(self, path: str) -> str:
        return self.campus.base_url.rstrip("/") + "/api/" + path

    def listing(self, cert: Certificate) -> dict[str, Any]:
        return {
            "id": cert.id,
            "course_id": cert.course_id,
            "number": cert.number,
            "issued_at": cert.issued_at.isoformat(),
            "revoked_at": cert.revoked_at.isoformat() if cert.revoked_at else None,
            "pdf_url": self.api_path(f"certificates/{cert.id}/pdf"),
            "assertion_url": self.api_path(f"certificates/{cert.id}/assertion"),
            "verify_url": self.settings_.verify_url(cert.id),
        }

    def staff_view(self, cert: Certificate) -> dict[str, Any]:
        return {
            **self.listing(cert),
            **certificates.facts(cert),
            "username": cert.username,
            "issued_by": cert.issued_by,
            "revoked_by": cert.revoked_by,
            "revoke_reason": cert.revoke_reason,
        }

    async def own_or_staff(self, certificate_id: str) -> Certificate:
        """The certificate, if it is the caller's or the caller staffs its course; else 404
        (a learner learns nothing about other people's certificates)."""
        cert = await self.in_db(certificates.get_certificate, certificate_id)
        assert self.permissions is not None
        if cert.username != self.username and not self.permissions.can("grade", cert.course_id):
            raise web.HTTPError(404, f"no certificate {certificate_id!r}")
        return cert

    def reason(self) -> str:
        reason = str(self.json_body().get("reason", "")).strip()
        if not reason:
            raise web.HTTPError(422, "give a reason: it is recorded in the audit trail")
        return reason


class MyCertificatesHandler(CertificateAPIHandler):
    async def get(self) -> None:
        """GET /api/me/certificates: the caller's certificates (with revoked ones)."""
        certs = await self.in_db(certificates.my_certificates, self.username)
        self.write_json({"certificates": [self.listing(c) for c in certs]})


class CourseCertificatesHandler(CertificateAPIHandler):
    async def get(self, course_id: str) -> None:
        """GET /api/courses/{course}/certificates: every certificate of the course (staff)."""
        self.require("grade", course_id)
        certs = await self.in_db(certificates.course_certificates, course_id)
        self.write_json({"certificates": [self.staff_view(c) for c in certs]})

    async def post(self, course_id: str) -> None:
        """POST /api/courses/{course}/certificates {learner?}: issue to the eligible (teach)."""
        self.require("teach", course_id)
        learner = self.json_body().get("learner")
        if learner is not None and (not isinstance(learner, str) or not learner):
            raise web.HTTPError(400, "learner must be a username")

        def act(session):
            report = certificates.issue_eligible(
                session,
                course_id,
                actor=self.username,
                usernames=[learner] if learner else None,
            )
            return {
                "issued": [self.staff_view(c) for c in report.issued],
                "already": report.already,
                "not_eligible": report.not_eligible,
            }

        result = await self.in_db(act)
        if learner and not result["issued"] and learner in result["not_eligible"]:
            reasons = "; ".join(result["not_eligible"][learner])
            # as an argument: tornado would double the "%" of a message given alone
            raise web.HTTPError(409, "%s", f"{learner} is not eligible: {reasons}")
        self.write_json(result, status=201 if result["issued"] else 200)


class EligibilityHandler(CertificateAPIHandler):
    async def get(self, course_id: str) -> None:
        """GET /api/courses/{course}/certificates/eligibility[?learner=U] (staff)."""
        self.require("grade", course_id)
        learner = self.get_argument("learner", None)

        def read(session):
            course = get_course(session, course_id)
            verdicts = evaluate(session, course, [learner] if learner else None)
            return {"learners": [verdicts[u].to_json() for u in sorted(verdicts)]}

        self.write_json(await self.in_db(read))


class ApprovalHandler(CertificateAPIHandler):
    async def post(self, course_id: str, username: str) -> None:
        """POST /api/courses/{course}/certificates/approvals/{username} {reason} (teach)."""
        self.require("teach", course_id)
        reason = self.reason()

        def act(session):
            approval, cert = certificates.approve(
                session, course_id, username, actor=self.username, reason=reason
            )
            return {
                "course_id": course_id,
                "username": username,
                "approved_by": approval.approved_by,
                "approved_at": approval.approved_at.isoformat(),
                "certificate": self.staff_view(cert) if cert else None,
            }

        self.write_json(await self.in_db(act), status=201)


class RevokeHandler(CertificateAPIHandler):
    async def post(self, certificate_id: str) -> None:
        """POST /api/certificates/{certificate}/revoke {reason} (teach of its course)."""
        cert = await self.in_db(certificates.get_certificate, certificate_id)
        self.require("teach", cert.course_id)
        reason = self.reason()
        cert = await self.in_db(
            certificates.revoke, certificate_id, actor=self.username, reason=reason
        )
        self.write_json(self.staff_view(cert))


class ReissueHandler(CertificateAPIHandler):
    async def post(self, certificate_id: str) -> None:
        """POST /api/certificates/{certificate}/reissue {reason}: revoke and issue anew (teach)."""
        cert = await self.in_db(certificates.get_certificate, certificate_id)
        self.require("teach", cert.course_id)
        reason = self.reason()
        new = await self.in_db(
            certificates.reissue, certificate_id, actor=self.username, reason=reason
        )
        self.write_json(self.staff_view(new), status=201)


class CertificatePdfHandler(CertificateAPIHandler):
    async def get(self, certificate_id: str) -> None:
        """GET /api/certificates/{certificate}/pdf: the PDF (its learner, or staff)."""
        cert = await self.own_or_staff(certificate_id)
        data = certificates.pdf_input(cert, self.settings_)
        body = await self.campus.run(certificates.render_pdf, data)
        self.set_header("Content-Type", "application/pdf")
        self.set_header(
            "Content-Disposition",
            f'attachment; filename="{cert.course_id}-{cert.number:05d}.pdf"',
        )
        self.finish(body)


class CertificateAssertionHandler(CertificateAPIHandler):
    async def get(self, certificate_id: str) -> None:
        """GET /api/certificates/{certificate}/assertion: the signed Open Badges 2.0 assertion
        (compact JWS), for its learner or staff."""
        cert = await self.own_or_staff(certificate_id)
        token = certificates.sign(
            certificates.assertion(cert, self.settings_), self.campus.signing_key
        )
        self.set_header("Content-Type", "application/jose; charset=us-ascii")
        self.set_header(
            "Content-Disposition",
            f'attachment; filename="{cert.course_id}-{cert.number:05d}.jws"',
        )
        self.finish(token)


class VerifyHandler(CertificateAPIHandler):
    public = True

    async def get(self, certificate_id: str) -> None:
        """GET /api/verify/{certificate}: valid / revoked / unknown, with the facts (no login)."""
        result = await self.in_db(certificates.check, certificate_id)
        self.write_json(result, status=404 if result["status"] == "unknown" else 200)


class PublicKeyHandler(CertificateAPIHandler):
    public = True

    async def get(self) -> None:
        """GET /api/certificates/public-key: the school's CryptographicKey (PEM and JWK)."""
        self.set_header("Cache-Control", "public, max-age=3600")
        self.write_json(certificates.crypto_key(self.settings_, self.campus.signing_key))


class IssuerHandler(CertificateAPIHandler):
    public = True

    async def get(self) -> None:
        """GET /api/certificates/issuer: the school's Open Badges issuer Profile."""
        self.set_header("Cache-Control", "public, max-age=3600")
        self.write_json(certificates.issuer_profile(self.settings_))


class RevocationsHandler(CertificateAPIHandler):
    public = True

    async def get(self) -> None:
        """GET /api/certificates/revocations: the Open Badges RevocationList of the school."""

        self.write_json(
            {
                "@context": certificates.CONTEXT,
                "type": "RevocationList",
                "id": self.settings_.url("api/certificates/revocations"),
                "issuer": self.settings_.issuer_id,
                "revokedAssertions": await self.in_db(certificates.revocations),
            }
        )
