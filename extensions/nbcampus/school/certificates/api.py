"""What other packages may use of certificates: everything else is private to it."""

from nbcampus.school.certificates.badge import (
    CONTEXT,
    InvalidAssertion,
    assertion,
    crypto_key,
    issuer_profile,
    sign,
    verify,
)
from nbcampus.school.certificates.counts import issued_per_cohort, issued_per_learner
from nbcampus.school.certificates.eligibility import evaluate, rules
from nbcampus.school.certificates.export import export_zip
from nbcampus.school.certificates.issuance import (
    approve,
    check,
    course_certificates,
    facts,
    get_certificate,
    issue_eligible,
    my_certificates,
    reissue,
    revocations,
    revoke,
)
from nbcampus.school.certificates.keys import (
    SigningKeyError,
    fingerprint,
    load_or_create,
    load_public,
)
from nbcampus.school.certificates.models import Certificate
from nbcampus.school.certificates.pdf import pdf_input
from nbcampus.school.certificates.pdf import render as render_pdf
from nbcampus.school.certificates.settings import CertificateSettings

__all__ = [
    "revocations",
    "issued_per_cohort",
    "issued_per_learner",
    "CONTEXT",
    "Certificate",
    "CertificateSettings",
    "InvalidAssertion",
    "SigningKeyError",
    "approve",
    "assertion",
    "check",
    "course_certificates",
    "crypto_key",
    "evaluate",
    "export_zip",
    "facts",
    "fingerprint",
    "get_certificate",
    "issue_eligible",
    "issuer_profile",
    "load_or_create",
    "load_public",
    "my_certificates",
    "pdf_input",
    "reissue",
    "render_pdf",
    "revoke",
    "rules",
    "sign",
    "verify",
]
