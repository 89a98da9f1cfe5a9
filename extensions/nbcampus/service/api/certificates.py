"""Certificates: a learner's own, staff issue/approve/revoke/re-issue, downloads, and the public
check (no login) as JSON and as an HTML page."""

from __future__ import annotations

from typing import Any

from tornado import web

from nbcampus.school.catalog.api import get_course
from nbcampus.school.certificates import api as certificates
from nbcampus.school.certificates.api import Certificate, evaluate
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import accepts, answers, query, requires, signed_in
from nbcampus.service.endpoints import public as public_method
from nbcampus.service.schemas import certificates as schemas
from nbcampus.service.schemas.common import JWS, PDF


async def certificate_course(handler: APIHandler, arguments: dict[str, Any]) -> str:
    """The course of the certificate in the path (404 for no such certificate)."""
    cert = await handler.in_db(certificates.get_certificate, arguments["certificate_id"])
    return cert.course_id


class CertificateAPIHandler(APIHandler):
    """Shared helpers: the school's settings and key, and who may see a certificate."""

    @property
    def settings_(self):
        return self.campus.certificates

    def api_path(self, path: str) -> str:
        return self.campus.base_url.rstrip("/") + "/api/" + path

    def page_path(self, path: str) -> str:
        return self.campus.base_url.rstrip("/") + "/" + path

    def listing(self, cert: Certificate) -> dict[str, Any]:
        return {
            "id": cert.id,
            "course_id": cert.course_id,
            "number": cert.number,
            "issued_at": cert.issued_at.isoformat(),
            "revoked_at": cert.revoked_at.isoformat() if cert.revoked_at else None,
            "module_id": cert.module_id or None,
            "award": cert.award,
            # the page, not the API: a browser without the service's cookie is sent through
            # the hub's OAuth login on the way (the API answers such a browser 401)
            "pdf_url": self.page_path(f"certificates/{cert.id}/pdf")
            if cert.award == certificates.CERTIFICATE
            else None,
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

    async def send_pdf(self, certificate_id: str) -> None:
        """Answer with the certificate's PDF, if the caller may see it (else 404)."""
        cert = await self.own_or_staff(certificate_id)
        if cert.award != certificates.CERTIFICATE:
            raise web.HTTPError(
                404,
                f"{certificate_id} is the badge of module {cert.module_id}: a signed assertion "
                "and the public check, no PDF",
            )
        data = certificates.pdf_input(cert, self.settings_)
        body = await self.campus.run(certificates.render_pdf, data)
        self.set_header("Content-Type", "application/pdf")
        self.set_header(
            "Content-Disposition",
            f'attachment; filename="{cert.course_id}-{cert.number:05d}.pdf"',
        )
        self.finish(body)

    def reason(self) -> str:
        """The validated body's reason (the schema WHY refuses a blank one)."""
        return self.body["reason"].strip()


class MyCertificatesHandler(CertificateAPIHandler):
    @signed_in
    @answers(200, schemas.MY_CERTIFICATES)
    async def get(self) -> None:
        """My certificates (revoked ones included)."""
        certs = await self.in_db(certificates.my_certificates, self.username)
        self.write_json({"certificates": [self.listing(c) for c in certs]})


class CourseCertificatesHandler(CertificateAPIHandler):
    @requires("grade")
    @answers(200, schemas.COURSE_CERTIFICATES)
    async def get(self, course_id: str) -> None:
        """Every certificate of the course (grade scope)."""
        certs = await self.in_db(certificates.course_certificates, course_id)
        self.write_json({"certificates": [self.staff_view(c) for c in certs]})

    @requires("teach")
    @accepts(schemas.ISSUE)
    @answers(201, schemas.ISSUED, description="some issued")
    @answers(200, schemas.ISSUED, description="none issued")
    @answers(409, description="the one learner asked for is not eligible, with why")
    async def post(self, course_id: str) -> None:
        """Issue certificates to every eligible learner, or one (teach scope)."""
        learner = self.body.get("learner")

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
    @requires("grade")
    @query(learner="only this learner")
    @answers(200, schemas.ELIGIBILITY)
    async def get(self, course_id: str) -> None:
        """Who is eligible and what each learner still misses (grade scope)."""
        learner = self.get_argument("learner", None)

        def read(session):
            course = get_course(session, course_id)
            verdicts = evaluate(session, course, [learner] if learner else None)
            return {"learners": [verdicts[u].to_json() for u in sorted(verdicts)]}

        self.write_json(await self.in_db(read))


class ApprovalHandler(CertificateAPIHandler):
    @requires("teach")
    @accepts(schemas.WHY)
    @answers(201, schemas.APPROVED)
    async def post(self, course_id: str, username: str) -> None:
        """Approve a learner for the certificate (teach scope; audited).

        Issues the certificate when that was all that was missing."""
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
    @requires("teach", course=certificate_course)
    @accepts(schemas.WHY)
    @answers(200, schemas.STAFF_VIEW)
    async def post(self, certificate_id: str) -> None:
        """Revoke a certificate (teach scope of its course; audited)."""
        reason = self.reason()
        cert = await self.in_db(
            certificates.revoke, certificate_id, actor=self.username, reason=reason
        )
        self.write_json(self.staff_view(cert))


class ReissueHandler(CertificateAPIHandler):
    @requires("teach", course=certificate_course)
    @accepts(schemas.WHY)
    @answers(201, schemas.STAFF_VIEW)
    async def post(self, certificate_id: str) -> None:
        """Revoke a certificate and issue its learner a new one with today's facts (teach
        scope of its course; audited)."""
        reason = self.reason()
        new = await self.in_db(
            certificates.reissue, certificate_id, actor=self.username, reason=reason
        )
        self.write_json(self.staff_view(new), status=201)


class CertificatePdfHandler(CertificateAPIHandler):
    @signed_in
    @answers(200, PDF, media="application/pdf", description="the certificate")
    @answers(404, None, description="not the caller's, or a module badge (no PDF)")
    async def get(self, certificate_id: str) -> None:
        """The certificate as a PDF (its learner, or staff); a module certificate too."""
        await self.send_pdf(certificate_id)


class CertificateAssertionHandler(CertificateAPIHandler):
    @signed_in
    @answers(200, JWS, media="application/jose", description="the signed assertion")
    async def get(self, certificate_id: str) -> None:
        """The signed Open Badges 2.0 assertion, a compact JWS (its learner, or staff)."""
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
    @public_method
    @answers(200, schemas.VERIFICATION, description="valid or revoked")
    @answers(404, schemas.UNKNOWN, description="no certificate has this id")
    async def get(self, certificate_id: str) -> None:
        """Public check, no login: valid or revoked with the facts, or unknown (404)."""
        result = await self.in_db(certificates.check, certificate_id)
        self.write_json(result, status=404 if result["status"] == "unknown" else 200)


class PublicKeyHandler(CertificateAPIHandler):
    @public_method
    @answers(200, schemas.CRYPTOGRAPHIC_KEY)
    async def get(self) -> None:
        """The school's signing key: an Open Badges CryptographicKey, PEM and JWK (no login)."""
        self.set_header("Cache-Control", "public, max-age=3600")
        self.write_json(certificates.crypto_key(self.settings_, self.campus.signing_key))


class IssuerHandler(CertificateAPIHandler):
    @public_method
    @answers(200, schemas.ISSUER)
    async def get(self) -> None:
        """The school as an Open Badges issuer Profile (no login)."""
        self.set_header("Cache-Control", "public, max-age=3600")
        self.write_json(certificates.issuer_profile(self.settings_))


class RevocationsHandler(CertificateAPIHandler):
    @public_method
    @answers(200, schemas.REVOCATIONS)
    async def get(self) -> None:
        """The Open Badges RevocationList of the school (no login)."""

        self.write_json(
            {
                "@context": certificates.CONTEXT,
                "type": "RevocationList",
                "id": self.settings_.url("api/certificates/revocations"),
                "issuer": self.settings_.issuer_id,
                "revokedAssertions": await self.in_db(certificates.revocations),
            }
        )


default_handlers = [
    ("/api/me/certificates", MyCertificatesHandler),
    ("/api/courses/{course}/certificates", CourseCertificatesHandler),
    ("/api/courses/{course}/certificates/eligibility", EligibilityHandler),
    ("/api/courses/{course}/certificates/approvals/{username}", ApprovalHandler),
    ("/api/certificates/public-key", PublicKeyHandler),
    ("/api/certificates/issuer", IssuerHandler),
    ("/api/certificates/revocations", RevocationsHandler),
    ("/api/certificates/{certificate}/pdf", CertificatePdfHandler),
    ("/api/certificates/{certificate}/assertion", CertificateAssertionHandler),
    ("/api/certificates/{certificate}/revoke", RevokeHandler),
    ("/api/certificates/{certificate}/reissue", ReissueHandler),
    ("/api/verify/{certificate}", VerifyHandler),
]
