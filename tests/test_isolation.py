"""Learner isolation, tried from inside real learner servers of the demo school.

Code runs in a learner's kernel through the Jupyter REST and websocket API, as JupyterLab runs it.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import psutil
import pytest

from nbcampus.hub.isolation import LearnerIsolation
from nbcampus.hub.settings import CampusSettings

pytestmark = pytest.mark.hub

ROOT = Path(__file__).resolve().parents[1]

TRY_PATHS = """
import errno, json, os
seen = {}
for name, path in json.loads(%r).items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read(1)
        seen[name] = "readable"
    except OSError as e:
        seen[name] = errno.errorcode.get(e.errno, str(e.errno))
print(json.dumps(seen))
"""


def _learner_server(school, username):
    session = school.login(username)
    school.start_server(session, username)
    return session


def _uid_of(school, username) -> int:
    return (school.state_dir / "homes" / username).stat().st_uid


def test_a_learner_sees_no_other_home_no_sources_no_databases_no_secrets(school):
    _learner_server(school, "learner2")  # so that learner2's home holds lessons
    session = _learner_server(school, "learner1")
    state = school.state_dir
    courses = Path(CampusSettings(state_dir=str(state)).courses_dir)
    keys = sorted((state / "exchange").rglob("gradebook.db"))
    secret = {
        "other learner's home": state / "homes" / "learner2",
        "other learner's lesson": state
        / "homes/learner2/python-data/lessons/week1-python-basics.ipynb",
        "course source with solutions": courses
        / "python-data/source/week1-exercises/exercises.ipynb",
        "courses folder": courses,
        "service database": state / "nbcampus.sqlite",
        "hub database": state / "jupyterhub.sqlite",
        "hub cookie secret": state / "jupyterhub_cookie_secret",
        "service cookie secret": state / "nbcampus_cookie_secret",
        "accounts and passwords": state / "accounts.json",
        "grading key": keys[0] if keys else state / "exchange" / "keys",
        "checkout's pyproject.toml": ROOT / "pyproject.toml",
        "grading engine": ROOT / "graders",
    }
    # every one of them is there on the host: the test would prove nothing otherwise
    for name, path in secret.items():
        assert path.exists(), f"{name} missing on the host: {path}"
    assert "BEGIN SOLUTION" in secret["course source with solutions"].read_text()
    assert keys, "the service made no grading key"

    run = school.run_in_kernel(
        session, "learner1", TRY_PATHS % json.dumps({k: str(v) for k, v in secret.items()})
    )
    assert not run.error, run.error
    seen = json.loads(run.stdout)
    # not even unreadable: absent
    assert seen == {name: "ENOENT" for name in secret}, seen
    # of the state folder, only the way to the learner's own home is there
    listing = school.run_in_kernel(
        session,
        "learner1",
        f"import os; print(os.listdir({str(state)!r}), os.listdir({str(state / 'homes')!r}))",
    )
    assert listing.stdout == "['homes'] ['learner1']\n", listing


def test_a_learner_works_in_their_own_home_as_their_own_uid(school):
    session = _learner_server(school, "learner1")
    _learner_server(school, "learner2")
    code = """
import json, os, sys, urllib.request
out = {"uid": os.getuid(), "lessons": sorted(os.listdir("python-data/lessons"))}
with open("my-notes.txt", "w") as f:
    f.write("mine")
try:
    open(os.path.join(sys.prefix, "planted.py"), "w")
    out["venv"] = "writable"
except OSError as e:
    out["venv"] = e.errno
procs = [p for p in os.listdir("/proc") if p.isdigit()]
out["cmdlines"] = [open(f"/proc/{p}/cmdline", "rb").read().decode(errors="replace") for p in procs]
# the nbcampus service on loopback answers, with this server's own token
request = urllib.request.Request(
    os.environ["NBCAMPUS_API_URL"] + "me/enrolments",
    headers={"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]},
)
out["enrolments"] = [e["course"] for e in json.load(urllib.request.urlopen(request))["enrolments"]]
print(json.dumps(out))
"""
    run = school.run_in_kernel(session, "learner1", code)
    assert not run.error, run.error
    out = json.loads(run.stdout)
    home = school.state_dir / "homes" / "learner1"
    assert out["uid"] not in (0, os.getuid())
    assert out["uid"] == _uid_of(school, "learner1") != _uid_of(school, "learner2")
    assert "week1-python-basics.ipynb" in out["lessons"]
    assert (home / "my-notes.txt").read_text() == "mine"
    assert (home / "my-notes.txt").stat().st_uid == out["uid"]
    assert out["venv"] == errno.EROFS
    assert "python-data" in out["enrolments"]
    # its own PID namespace: the jail's init, the server, this kernel; not the hub or the service
    assert len(out["cmdlines"]) < 10, out["cmdlines"]
    assert not [c for c in out["cmdlines"] if "nbcampus.hub" in c or "nbcampus.service" in c]


FORK_BOMB = """
import json, os, resource, time
children, failure = [], None
# bounded even where the cap is missing: no forks at all then (the test fails), and each child
# ends when the kernel does or after 120 s
capped = os.getuid() != 0 and resource.getrlimit(resource.RLIMIT_NPROC)[0] != resource.RLIM_INFINITY
deadline = time.monotonic() + 30
parent = os.getpid()
while capped and time.monotonic() < deadline and len(children) < 5000:
    try:
        pid = os.fork()
    except OSError as e:
        failure = e.errno
        break
    if pid == 0:
        end = time.monotonic() + 120
        while os.getppid() == parent and time.monotonic() < end:
            time.sleep(1)
        os._exit(0)
    children.append(pid)
print(json.dumps({"forked": len(children), "errno": failure, "capped": capped}))
"""


def test_a_fork_bomb_leaves_other_learners_able_to_spawn_and_work(school):
    bomber = _learner_server(school, "learner3")
    other = school.login("learner1")
    school.stop_server(other, "learner1")  # learner1 must spawn while the bomb holds

    # the kernel stays: shutting it down could take its children with it
    run = school.run_in_kernel(bomber, "learner3", FORK_BOMB, shutdown=False)
    assert not run.error, run.error
    bomb = json.loads(run.stdout)
    cap = LearnerIsolation().processes
    assert bomb["capped"], "learner servers have no process cap"
    assert bomb["errno"] == errno.EAGAIN, bomb
    assert 0 < bomb["forked"] < cap
    bomber_uid = _uid_of(school, "learner3")

    def processes_of(uid: int) -> int:
        return sum(1 for p in psutil.process_iter(["uids"]) if (p.info["uids"] or [None])[0] == uid)

    try:
        school.start_server(other, "learner1")
        run = school.run_in_kernel(other, "learner1", "print(6 * 7)")
        assert (run.stdout, run.error) == ("42\n", "")
        # the bomb was still holding while learner1 spawned and worked
        assert processes_of(bomber_uid) >= bomb["forked"]
    finally:
        school.stop_server(bomber, "learner3")
    # stopping the server ends every process of its jail
    assert processes_of(bomber_uid) == 0
