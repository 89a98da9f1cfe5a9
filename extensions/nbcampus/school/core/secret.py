"""A secret shared by every replica of the service: made once in the state folder (mode 0600),
written aside then linked into place, so replicas starting together end up with one secret and
none reads half of one."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def shared_secret(path: str | Path) -> bytes:
    """The secret kept at ``path``, made (32 random bytes, hex) when there is none yet."""
    path = Path(path)
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
                f.flush()
                os.fsync(f.fileno())
            os.link(tmp, path)
        except FileExistsError:
            pass  # another replica made it first
        finally:
            os.unlink(tmp)
    return path.read_text().strip().encode()
