"""The school's signing key: an RSA key pair made on first start, kept with mode 0600.

Open Badges 2.0 signed assertions use RS256, so the key is RSA (3072 bits would be slower to
sign ten thousand certificates for little gain at a certificate's lifetime: 2048 bits, as the
Open Badges examples use).
"""

from __future__ import annotations

import os
from pathlib import Path

from jwcrypto import jwk

KEY_BITS = 2048


class SigningKeyError(Exception):
    """The key file is missing, unreadable or not a usable key (with the path in the message)."""


def load_or_create(path: str | Path) -> jwk.JWK:
    """The private key at ``path``; made there (mode 0600, folder 0700) when absent.

    ``O_EXCL`` makes two services starting at once agree on one key: the loser reads the
    winner's file.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = jwk.JWK.generate(kty="RSA", size=KEY_BITS)
        pem = key.export_to_pem(private_key=True, password=None)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
    return load_private(path)


def load_private(path: str | Path) -> jwk.JWK:
    """The private key in the PEM file ``path``."""
    path = Path(path)
    try:
        key = jwk.JWK.from_pem(path.read_bytes())
    except (OSError, ValueError, TypeError) as e:
        raise SigningKeyError(f"{path}: not a readable private key: {e}") from None
    if not key.has_private:
        raise SigningKeyError(f"{path}: holds a public key only; the signing key is needed")
    return key


def load_public(data: bytes | str, where: str = "key") -> jwk.JWK:
    """A public key from PEM, a JWK, or the service's published key document (JSON)."""
    import json

    text = data.decode() if isinstance(data, bytes) else data
    try:
        if text.lstrip().startswith("{"):
            doc = json.loads(text)
            if "publicKeyPem" in doc:
                return jwk.JWK.from_pem(doc["publicKeyPem"].encode())
            return jwk.JWK(**doc.get("publicKeyJwk", doc))
        return jwk.JWK.from_pem(text.encode())
    except (ValueError, TypeError, KeyError, jwk.JWException) as e:
        raise SigningKeyError(
            f"{where}: not a public key (PEM, JWK or the published key JSON): {e}"
        ) from None


def public_pem(key: jwk.JWK) -> str:
    return key.export_to_pem(private_key=False, password=None).decode()


def public_jwk(key: jwk.JWK) -> dict:
    return {
        **key.export_public(as_dict=True),
        "kid": fingerprint(key),
        "alg": "RS256",
        "use": "sig",
    }


def fingerprint(key: jwk.JWK) -> str:
    """The RFC 7638 thumbprint: what the ``kid`` header of every signed assertion names."""
    return key.thumbprint()
