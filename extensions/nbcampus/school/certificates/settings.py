"""Who issues certificates and where they are checked: one settings class for the service and the
command line."""

from __future__ import annotations

import os
from pathlib import Path

from traitlets import Unicode, default
from traitlets.config import Configurable

from nbcampus.school.core.api import default_state_dir


class CertificateSettings(Configurable):
    """The issuing school, its public address (QR codes and badge links) and its signing key."""

    issuer_name = Unicode(help="Name of the issuing school. From NBCAMPUS_ISSUER_NAME.").tag(
        config=True
    )

    @default("issuer_name")
    def _default_issuer_name(self) -> str:
        return os.environ.get("NBCAMPUS_ISSUER_NAME", "nbcampus")

    public_url = Unicode(
        help="Public address of the hub as learners and employers reach it, e.g. "
        "https://campus.example.org/. Certificates link to it (QR code, badge ids), so set it "
        "before issuing. From NBCAMPUS_PUBLIC_URL, else http://127.0.0.1:<NBCAMPUS_PORT>/."
    ).tag(config=True)

    @default("public_url")
    def _default_public_url(self) -> str:
        port = os.environ.get("NBCAMPUS_PORT", "8000")
        return os.environ.get("NBCAMPUS_PUBLIC_URL", f"http://127.0.0.1:{port}/")

    service_prefix = Unicode(help="URL prefix of the service. From JUPYTERHUB_SERVICE_PREFIX.").tag(
        config=True
    )

    # inside the service, the defaults are the service's own settings (its parent)

    @default("service_prefix")
    def _default_service_prefix(self) -> str:
        return getattr(self.parent, "base_url", None) or os.environ.get(
            "JUPYTERHUB_SERVICE_PREFIX", "/services/nbcampus/"
        )

    state_dir = Unicode(help="The service's state folder. From NBCAMPUS_STATE_DIR.").tag(
        config=True
    )

    @default("state_dir")
    def _default_state_dir(self) -> str:
        return default_state_dir(self.parent)

    key_file = Unicode(
        help="The school's private signing key (PEM), made on first start with mode 0600; "
        "default <state dir>/certificates/issuer-key.pem."
    ).tag(config=True)

    @default("key_file")
    def _default_key_file(self) -> str:
        return str(Path(self.state_dir) / "certificates" / "issuer-key.pem")

    courses_dir = Unicode(
        help="Course folders, where course logos are read from. From NBCAMPUS_COURSES_DIR."
    ).tag(config=True)

    @default("courses_dir")
    def _default_courses_dir(self) -> str:
        return getattr(self.parent, "courses_dir", None) or os.environ.get(
            "NBCAMPUS_COURSES_DIR", ""
        )

    def url(self, path: str) -> str:
        """The public URL of ``path`` under the service (``verify/ID``, ``api/...``)."""
        prefix = "/" + self.service_prefix.strip("/") + "/"
        return self.public_url.rstrip("/") + prefix + path.lstrip("/")

    def verify_url(self, certificate_id: str) -> str:
        return self.url(f"verify/{certificate_id}")

    @property
    def issuer_id(self) -> str:
        return self.url("api/certificates/issuer")

    @property
    def key_id(self) -> str:
        return self.url("api/certificates/public-key")

    def logo_path(self, course_id: str, logo: str | None) -> Path | None:
        """The course's logo file, if the course folder is here and holds it."""
        if not logo or not self.courses_dir:
            return None
        root = Path(self.courses_dir).resolve()
        path = (root / course_id / logo).resolve()
        # the course file's schema refuses "../"; this keeps a logo inside its course anyway
        if root / course_id not in path.parents or not path.is_file():
            return None
        return path
