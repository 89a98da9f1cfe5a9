"""The tool's settings: the platforms file, the tool's signing key, its public address."""

from __future__ import annotations

import os
from pathlib import Path

from jwcrypto import jwk
from traitlets import Float, Integer, Unicode, default
from traitlets.config import Configurable

from nbcampus.school.core.api import default_state_dir
from nbcampus.school.lti.keys import load_or_create_key
from nbcampus.school.lti.platforms import Platform, load_platforms


class LtiSettings(Configurable):
    """LTI 1.3 tool settings, shared by the service and the command line."""

    platforms_file = Unicode(
        help="JSON list of the LMS platforms the school trusts (issuer, client_id, "
        "deployment_ids, auth_login_url, auth_token_url, key_set_url; optional contexts, "
        "courses, username_prefix; docs/lti.md). From NBCAMPUS_LTI_PLATFORMS; none when empty."
    ).tag(config=True)

    @default("platforms_file")
    def _default_platforms_file(self) -> str:
        return os.environ.get("NBCAMPUS_LTI_PLATFORMS", "")

    state_dir = Unicode(help="The service's state folder. From NBCAMPUS_STATE_DIR.").tag(
        config=True
    )

    @default("state_dir")
    def _default_state_dir(self) -> str:
        return default_state_dir(self.parent)

    key_file = Unicode(
        help="The tool's private RSA key (PEM) signing its messages to platforms and the hub; "
        "made on first start with mode 0600; default <state dir>/lti/tool-key.pem."
    ).tag(config=True)

    @default("key_file")
    def _default_key_file(self) -> str:
        return str(Path(self.state_dir) / "lti" / "tool-key.pem")

    public_url = Unicode(
        help="Public address of the hub as platforms and browsers reach it (the URLs an LMS "
        "admin pastes are made from it). From NBCAMPUS_PUBLIC_URL."
    ).tag(config=True)

    @default("public_url")
    def _default_public_url(self) -> str:
        port = os.environ.get("NBCAMPUS_PORT", "8000")
        return os.environ.get("NBCAMPUS_PUBLIC_URL", f"http://127.0.0.1:{port}/")

    leeway_seconds = Integer(
        60, help="Clock difference allowed with a platform when checking exp and iat."
    ).tag(config=True)

    post_interval_seconds = Float(
        5.0, help="How often the service sends the scores waiting for platforms; 0: never."
    ).tag(config=True)

    max_post_attempts = Integer(
        8, help="A score post failing this many times is given up (its audit row says why)."
    ).tag(config=True)

    retry_base_seconds = Float(
        10.0, help="First wait before a failed score post is tried again; doubled each time."
    ).tag(config=True)

    def platforms(self) -> list[Platform]:
        return load_platforms(self.platforms_file)

    def key(self) -> jwk.JWK:
        return load_or_create_key(self.key_file)

    def url(self, path: str) -> str:
        """A public URL of the service: ``url("lti/launch")``."""
        return self.public_url.rstrip("/") + "/services/nbcampus/" + path
