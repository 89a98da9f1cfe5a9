"""What other packages may use of certificates: everything else is private to it."""

from nbcampus.school.certificates.awards import award_modules
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
from nbcampus.school.certificates.eligibility import (
    evaluate,
    module_rewards,
    module_verdicts,
    rules,
)
from nbcampus.school.certificates.export import export_zip
from nbcampus.school.certificates.issuance import (
    approve,
    course_certificates,
    get_certificate,
    issue_eligible,
    my_certificates,
    reissue,
    revoke,
)
from nbcampus.school.certificates.keys import (
    SigningKeyError,
    fingerprint,
    load_or_create,
    load_public,
)
from nbcampus.school.certificates.models import BADGE, CERTIFICATE, Certificate
from nbcampus.school.certificates.pdf import pdf_input
from nbcampus.school.certificates.pdf import render as render_pdf
from nbcampus.school.certificates.public import check, facts, revocations
from nbcampus.school.certificates.settings import CertificateSettings

__all__ = [
    "BADGE",
    "CERTIFICATE",
    "award_modules",
    "module_rewards",
    "module_verdicts",
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
