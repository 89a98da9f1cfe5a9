"""The release cache: an exercise made once from a source is taken from the cache after, never
stale (any change to the source, the course or nbgrader makes a new entry), private (the key
holds the hidden tests) and never half-read."""

from __future__ import annotations

import stat
import zipfile

from nbcampus.testing import write_course
from nbcampus_graders.keys import generate_release, release_id


def test_made_once_then_taken_from_the_cache_and_private(tmp_path):
    source = write_course(tmp_path / "courses", "open-mooc") / "source" / "ex1"
    cache = tmp_path / "cache"
    files, key = generate_release(source, "open-mooc", cache=cache)
    assert "### BEGIN HIDDEN TESTS" not in files["ex1.ipynb"].decode()
    (entry,) = cache.iterdir()
    assert entry.name == f"{release_id(source, 'open-mooc')}.zip"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600

    # a second publication reads the entry and does not run nbgrader: an entry rewritten by
    # hand is what comes back
    with zipfile.ZipFile(entry, "w") as archive:
        archive.writestr("release/ex1.ipynb", b"from the cache")
        archive.writestr("key.db", b"cached key")
    assert generate_release(source, "open-mooc", cache=cache) == (
        {"ex1.ipynb": b"from the cache"},
        b"cached key",
    )
    # the same files in another course, or one byte changed: made again, not taken
    assert release_id(source, "other") != release_id(source, "open-mooc")
    (source / "ex1.ipynb").write_bytes((source / "ex1.ipynb").read_bytes() + b"\n")
    again, _ = generate_release(source, "open-mooc", cache=cache)
    assert again["ex1.ipynb"] != b"from the cache" and len(list(cache.glob("*.zip"))) == 2


def test_an_unreadable_entry_is_made_again(tmp_path):
    source = write_course(tmp_path / "courses", "open-mooc") / "source" / "ex1"
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    (cache / f"{release_id(source, 'open-mooc')}.zip").write_bytes(b"PK\x03\x04 cut short")
    files, key = generate_release(source, "open-mooc", cache=cache)
    assert "ex1.ipynb" in files and key.startswith(b"SQLite format 3")
    assert generate_release(source, "open-mooc", cache=cache) == (files, key)
