"""Bulk export of a cohort's certificates: a ZIP of the PDFs, the signed assertions and a CSV
manifest. Rendering runs in a process pool (PDF drawing is CPU work); the ZIP is written to a
temporary name and moved into place, so a failed export leaves no half-written file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from nbcampus.school.catalog.api import Cohort, get_course
from nbcampus.school.certificates import badge, keys, pdf
from nbcampus.school.certificates.models import CERTIFICATE, Certificate
from nbcampus.school.certificates.settings import CertificateSettings
from nbcampus.school.core.api import Database, NotFound, safe_row

MANIFEST_FIELDS = [
    "number",
    "id",
    "username",
    "learner",
    "course_id",
    "cohort",
    "score",
    "hours",
    "issued_at",
    "verify_url",
    "pdf",
    "pdf_sha256",
    "assertion",
]

_worker_key = None


def _init_worker(key_file: str) -> None:
    global _worker_key
    _worker_key = keys.load_private(key_file)


def render_one(item: tuple[dict[str, Any], dict[str, Any]]) -> tuple[str, bytes, str]:
    """(pdf input, assertion) -> (certificate id, PDF, compact JWS): the work of one worker."""
    pdf_data, document = item
    return pdf_data["id"], pdf.render(pdf_data), badge.sign(document, _worker_key)


@dataclass
class ExportResult:
    path: Path
    count: int


def _certificates(db: Database, course_id: str, cohort: str | None) -> list[Certificate]:
    with db.session(readonly=True) as session:
        get_course(session, course_id)
        if cohort is not None:
            names = list(session.scalars(select(Cohort.name).where(Cohort.course_id == course_id)))
            if cohort not in names:
                raise NotFound(
                    f"course {course_id} has no cohort {cohort!r} (cohorts: {', '.join(names) or 'none'})"
                )
        # every live certificate, the modules' too; a module badge has no PDF
        query = select(Certificate).where(
            Certificate.course_id == course_id,
            Certificate.award == CERTIFICATE,
            Certificate.revoked_at.is_(None),
        )
        if cohort is not None:
            query = query.where(Certificate.cohort == cohort)
        return list(session.scalars(query.order_by(Certificate.number)))


def export_zip(
    db: Database,
    settings: CertificateSettings,
    course_id: str,
    output: str | Path,
    *,
    cohort: str | None = None,
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write the ZIP of the course's (cohort's) valid certificates to ``output``.

    ``workers``: rendering processes (0: one per CPU); ``progress(n)`` is called as each
    certificate is written.
    """
    output = Path(output)
    certs = _certificates(db, course_id, cohort)
    key_file = settings.key_file
    keys.load_private(key_file)  # a missing or unreadable key fails here, before any work
    items = [(pdf.pdf_input(c, settings), badge.assertion(c, settings)) for c in certs]
    by_id = {c.id: c for c in certs}
    workers = workers or os.cpu_count() or 1
    partial = output.with_name(output.name + ".part")
    manifest = io.StringIO()
    writer = csv.DictWriter(manifest, MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for cert_id, pdf_bytes, token in _render_all(items, key_file, workers):
                cert = by_id[cert_id]
                stem = f"{cert.course_id}-{cert.number:05d}"
                # PDF streams are compressed already: store them as they are
                archive.writestr(f"pdf/{stem}.pdf", pdf_bytes, compress_type=zipfile.ZIP_STORED)
                archive.writestr(f"assertions/{stem}.jws", token)
                writer.writerow(
                    safe_row(
                        {
                            "number": cert.number,
                            "id": cert.id,
                            "username": cert.username,
                            "learner": cert.learner_name,
                            "course_id": cert.course_id,
                            "cohort": cert.cohort or "",
                            "score": "" if cert.score is None else f"{cert.score:.2f}",
                            "hours": f"{cert.hours:g}",
                            "issued_at": cert.issued_at.isoformat(),
                            "verify_url": settings.verify_url(cert.id),
                            "pdf": f"pdf/{stem}.pdf",
                            "pdf_sha256": hashlib.sha256(pdf_bytes).hexdigest(),
                            "assertion": f"assertions/{stem}.jws",
                        }
                    )
                )
                if progress is not None:
                    progress(1)
            archive.writestr("manifest.csv", manifest.getvalue())
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return ExportResult(output, len(items))


def _render_all(
    items: list[tuple[dict[str, Any], dict[str, Any]]], key_file: str, workers: int
) -> Iterator[tuple[str, bytes, str]]:
    if workers <= 1 or len(items) < 64:
        _init_worker(key_file)
        yield from map(render_one, items)
        return
    chunk = max(1, min(64, len(items) // (workers * 8)))
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(key_file,)) as pool:
        yield from pool.map(render_one, items, chunksize=chunk)
