"""A certificate's PDF for browsers: the panel's "PDF" link. A browser that has only the hub's
cookie is sent through the hub's OAuth login first (the API would answer it 401)."""

from __future__ import annotations

from nbcampus.service.api.certificates import CertificateAPIHandler
from nbcampus.service.base import PageHandler


class CertificatePdfPage(PageHandler, CertificateAPIHandler):
    """GET /services/nbcampus/certificates/{certificate}/pdf: the PDF (its learner, or staff)."""

    async def get(self, certificate_id: str) -> None:
        await self.send_pdf(certificate_id)
