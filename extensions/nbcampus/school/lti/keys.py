"""The tool's own RSA key: signs client assertions, deep linking responses and hub tickets; its
public half is the JWKS platforms read."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jwcrypto import jwk


def load_or_create_key(path: str | Path) -> jwk.JWK:
    """The private key at ``path``, made there (mode 0600) when absent; ``O_EXCL`` makes
    replicas starting together agree on one key."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = jwk.JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
    return _with_kid(jwk.JWK.from_pem(path.read_bytes()))


def _with_kid(key: jwk.JWK) -> jwk.JWK:
    # the key id is the key's thumbprint: stable across restarts and replicas
    data = key.export(private_key=True, as_dict=True)
    data["kid"] = key.thumbprint()
    data["alg"] = "RS256"
    data["use"] = "sig"
    return jwk.JWK(**data)


def public_jwks(key: jwk.JWK) -> dict[str, Any]:
    """The JWKS document of the tool (public key only)."""
    return {"keys": [key.export_public(as_dict=True)]}
