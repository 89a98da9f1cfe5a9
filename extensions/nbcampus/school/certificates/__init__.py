"""Certificates: eligibility, issue and revocation, the school's signing key, the signed Open
Badges 2.0 assertion, the PDF, and the bulk export of a cohort.

The logic modules are framework-free; handlers/certificates.py and apps/certificates.py are thin
adapters over them.
"""
