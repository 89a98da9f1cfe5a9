"""The school's state and course sources are private to the service's user once the demo school
has started: no group or world access to the databases, secrets, grading keys, exchange storage
or course sources (learners' homes belong to their learners)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from nbcampus.hub.privacy import make_state_private
from nbcampus.hub.settings import CampusSettings


def _open_to_others(root: Path, skip: Path | None = None) -> list[str]:
    """Entries under ``root`` (itself included) with any group or world permission bit."""
    found = []
    for directory, dirnames, filenames in os.walk(root):
        if skip is not None:
            dirnames[:] = [d for d in dirnames if Path(directory, d) != skip]
        for path in [directory, *(os.path.join(directory, n) for n in dirnames + filenames)]:
            st = os.lstat(path)
            if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077:
                found.append(f"{path} {stat.filemode(st.st_mode)}")
    return sorted(set(found))


@pytest.mark.hub
def test_state_and_course_sources_are_the_service_users_only(school):
    # the service has made its database, secrets, releases and grading keys by now
    state = school.state_dir
    courses = Path(CampusSettings(state_dir=str(state)).courses_dir)
    private = {
        "service database": state / "nbcampus.sqlite",
        "hub database": state / "jupyterhub.sqlite",
        "hub cookie secret": state / "jupyterhub_cookie_secret",
        "service cookie secret": state / "nbcampus_cookie_secret",
        "accounts and passwords": state / "accounts.json",
        "exchange storage": state / "exchange",
        "course source with solutions": courses
        / "python-data/source/week1-exercises/exercises.ipynb",
    }
    keys = sorted((state / "exchange").rglob("gradebook.db"))
    assert keys, "the service made no grading key"
    for name, path in private.items():
        assert path.exists(), f"{name} missing: {path}"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    owner = state.stat().st_uid
    for name, path in {**private, "grading key": keys[0]}.items():
        st = path.stat()
        assert st.st_uid == owner, f"{name} not the service user's: {path}"
        assert not st.st_mode & 0o077, f"{name} open to others: {stat.filemode(st.st_mode)}"
    # nothing at all under the state folder (but the homes) nor under the courses is open
    assert _open_to_others(state, skip=state / "homes") == []
    assert _open_to_others(courses) == []
    assert stat.S_IMODE((state / "homes").stat().st_mode) == 0o700


def test_make_state_private_takes_group_and_world_bits_off(tmp_path):
    state, courses = tmp_path / "var", tmp_path / "courses"
    (state / "exchange" / "c1").mkdir(parents=True)
    (state / "homes" / "ana").mkdir(parents=True)
    (courses / "c1" / "source").mkdir(parents=True)
    files = {
        state / "nbcampus.sqlite": 0o644,
        state / "exchange" / "c1" / "gradebook.db": 0o666,
        courses / "c1" / "source" / "ex.ipynb": 0o644,
        state / "homes" / "ana" / "notes.txt": 0o644,  # the learner's own
    }
    for path, mode in files.items():
        path.write_text("x")
        path.chmod(mode)
    for folder in (state, state / "exchange", courses, courses / "c1"):
        folder.chmod(0o755)
    (state / "link").symlink_to("/etc/passwd")
    passwd = os.stat("/etc/passwd").st_mode
    old_umask = os.umask(0o022)
    try:
        changed = make_state_private(CampusSettings(state_dir=str(state), courses_dir=str(courses)))
        assert os.umask(0o022) == 0o077  # what the hub creates later is private too
    finally:
        os.umask(old_umask)
    assert changed >= 7
    assert _open_to_others(state, skip=state / "homes") == []
    assert _open_to_others(courses) == []
    assert stat.S_IMODE((courses / "c1" / "source" / "ex.ipynb").stat().st_mode) == 0o600
    # learners' homes are theirs; links are never followed
    assert stat.S_IMODE((state / "homes" / "ana" / "notes.txt").stat().st_mode) == 0o644
    assert os.stat("/etc/passwd").st_mode == passwd
