"""``nbcampus grade`` (queue and follow grading through the API), ``nbcampus grader`` (run a
grading worker next to the service database) and ``nbcampus doctor`` (what this machine can do)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from traitlets import Bool, Enum, Float, Unicode, default
from traitlets.config import Application

from nbcampus.apps.client import APIClientApp
from nbcampus.apps.gradebook import GradebookExportApp


class GradeApp(APIClientApp):
    """Grade or regrade an assignment: everyone's latest attempt, one learner, or failed ones."""

    name = "nbcampus-grade"
    description = (
        "nbcampus grade COURSE ASSIGNMENT [--learner=NAME] [--only=latest|all|failed] [--no-wait]"
    )
    aliases = {
        **APIClientApp.aliases,
        "learner": "GradeApp.learner",
        "only": "GradeApp.only",
        "timeout": "GradeApp.timeout",
    }
    flags = {"no-wait": ({"GradeApp": {"wait": False}}, "Queue and return at once.")}

    learner = Unicode("", help="Only this learner.").tag(config=True)
    only = Enum(["latest", "all", "failed"], "latest", help="Which attempts.").tag(config=True)
    wait = Bool(True, help="Follow the jobs with a progress bar until they end.").tag(config=True)
    timeout = Float(3600, help="Give up following after this many seconds.").tag(config=True)

    def start(self) -> None:
        from tqdm import tqdm

        course, assignment = self.need_args(2, self.description)
        body = {"only": self.only}
        if self.learner:
            body["learner"] = self.learner
        path = f"courses/{course}/assignments/{assignment}/grading"
        queued = self.call("POST", path, json=body)
        ids = {job["id"] for job in queued["jobs"]}
        print(f"{queued['queued']} submission(s) of {course}/{assignment} queued for grading")
        if not self.wait or not ids:
            return
        deadline = time.monotonic() + self.timeout
        finished: set[int] = set()
        with tqdm(total=len(ids), unit="submission", desc="grading") as bar:
            while time.monotonic() < deadline:
                state = self.call("GET", path)
                now = {
                    j["id"]
                    for j in state["job_list"]
                    if j["id"] in ids and j["state"] not in ("queued", "running")
                }
                bar.update(len(now - finished))
                finished |= now
                if finished >= ids:
                    break
                time.sleep(0.5)
        subs = {j["submission_id"] for j in queued["jobs"]}
        done = {g["submission_id"]: g for g in state["grades"] if g["submission_id"] in subs}
        review = [g for g in done.values() if g["state"] != "graded"]
        for g in sorted(done.values(), key=lambda g: g["username"]):
            print(f"  {g['username']:<20} {g['score']:>6.2f} / {g['max_score']:<6.2f} {g['state']}")
        if len(done) < len(ids):
            print(
                f"{len(ids) - len(done)} still grading after {self.timeout:.0f} s", file=sys.stderr
            )
            self.exit(1)
        if review:
            print(f"{len(review)} grade(s) need review", file=sys.stderr)


class GraderApp(Application):
    """Run a grading worker on this machine against the service database and exchange storage."""

    name = "nbcampus-grader"
    description = "nbcampus grader [--db-url=URL] [--state-dir=DIR] [--backend=local|dask]"
    aliases = {
        "db-url": "GraderApp.db_url",
        "state-dir": "GraderApp.state_dir",
        "backend": "GradingWorker.backend",
        "scheduler": "GradingWorker.scheduler_address",
        "workers": "GradingWorker.workers",
        "lease": "GradingWorker.lease_seconds",
        "config": "GraderApp.config_file",
    }
    flags = {"drain": ({"GraderApp": {"drain": True}}, "Grade what is queued, then exit.")}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # the worker's settings are this command's options (and --help lists them); loaded
        # with the subcommand, not with `nbcampus`: the grading engine imports nbgrader
        from nbcampus.school.grading.api import GradingWorker

        self.classes = [type(self), GradingWorker]

    state_dir = Unicode(help="The service's state directory (NBCAMPUS_STATE_DIR).").tag(config=True)

    @default("state_dir")
    def _default_state_dir(self) -> str:
        return os.environ.get("NBCAMPUS_STATE_DIR", "var")

    db_url = Unicode(
        help="Service database URL; default: NBCAMPUS_DB_URL or SQLite in the state dir."
    ).tag(config=True)

    @default("db_url")
    def _default_db_url(self) -> str:
        from nbcampus.school.core.api import default_db_url

        return os.environ.get("NBCAMPUS_DB_URL") or default_db_url(self.state_dir)

    config_file = Unicode("", help="A traitlets config file to load.").tag(config=True)
    drain = Bool(False, help="Exit when the queue is empty.").tag(config=True)

    def start(self) -> None:
        from nbcampus.school.core.api import Database
        from nbcampus.school.grading.api import GradingWorker
        from nbcampus.startup import skip_slow_imports

        skip_slow_imports()
        if self.config_file:
            self.load_config_file(self.config_file)
        worker = GradingWorker(
            Database(self.db_url), Path(self.state_dir) / "exchange", config=self.config
        )
        if self.drain:
            worker.drain()
            return
        signal.signal(signal.SIGTERM, lambda *_: worker._stop.set())
        try:
            worker.run()
        except KeyboardInterrupt:
            pass


def _report(what: str, probe, works: str, consequence: str) -> None:
    """Print what a probe found: OK and its details, or why not and what follows."""
    if probe.available:
        print(f"{what}: OK ({works})")
        for line in probe.details:
            print(f"  {line}")
    else:
        print(f"{what}: UNAVAILABLE - {probe.reason}")
        print(f"  {consequence}")


class DoctorApp(Application):
    """Say what this machine can do for nbcampus: learner isolation, grading sandbox, Dask."""

    name = "nbcampus-doctor"
    description = (
        "nbcampus doctor: check learner isolation, the grading sandbox and the tools nbcampus needs"
    )

    def start(self) -> None:
        from nbcampus.hub.isolation import (
            LearnerIsolation,
            announce_kubernetes_isolation,
            school_ports,
        )
        from nbcampus.hub.settings import CampusSettings
        from nbcampus_graders.sandbox import Sandbox

        settings = CampusSettings(config=self.config)
        isolation = LearnerIsolation(config=self.config)
        config_dirs = [settings.singleuser_config_dir]
        learners = isolation.probe(config_dirs)
        network = isolation.check_network(learners, config_dirs, school_ports(settings))
        _report(
            "learner isolation",
            learners,
            "bubblewrap jail per server: own uid, own home only, private /proc, process and "
            "memory caps",
            "the hub refuses to start for more than one person unless "
            "CampusSettings.unsafe_single_user_mode = True, which lets every learner read every "
            "home, the course sources and the databases (unsafe)",
        )
        if settings.platform == "kubernetes":
            print(f"learner network: NOT CHECKED HERE - {announce_kubernetes_isolation()}")
        elif network.isolated:
            print(f"learner network: OK ({network.describe()})")
        else:
            print(f"learner network: SHARED - {network.describe()}")
            if network.unaccepted or network.scan_error:
                print(
                    "  the hub refuses to start for more than one person until these ports are "
                    "closed or named in c.LearnerIsolation.accepted_loopback_ports "
                    "(NBCAMPUS_ACCEPTED_LOOPBACK_PORTS)"
                )
        probe = Sandbox(config=self.config).probe()
        _report(
            "grading sandbox",
            probe,
            "bubblewrap, own uid, no network, rlimits",
            "submissions will NOT be graded unless Sandbox.allow_unsandboxed = True, which lets "
            "learner code read the grader's files (unsafe)",
        )
        try:
            import distributed

            print(f"dask distributed: {distributed.__version__}")
        except ImportError:
            print("dask distributed: not installed (backend 'dask' unavailable)")
        network_ok = network.isolated or not (network.unaccepted or network.scan_error)
        if not (probe.available and learners.available and network_ok):
            self.exit(1)


class GradesApp(APIClientApp):
    """List an assignment's grades (staff): score, state, why a grade needs review."""

    name = "nbcampus-grades"
    description = "nbcampus grades COURSE ASSIGNMENT [--csv] | nbcampus grades export COURSE"
    flags = {"csv": ({"GradesApp": {"csv": True}}, "Print CSV.")}
    subcommands = {"export": (GradebookExportApp, GradebookExportApp.description)}
    csv = Bool(False, help="CSV output.").tag(config=True)

    def start(self) -> None:
        if self.subapp is not None:
            self.subapp.start()
            return
        course, assignment = self.need_args(2, self.description)
        state = self.call("GET", f"courses/{course}/assignments/{assignment}/grading")
        if self.csv:
            import csv

            writer = csv.writer(sys.stdout)
            writer.writerow(
                [
                    "username",
                    "submission_id",
                    "state",
                    "score",
                    "max_score",
                    "credit_percent",
                    "graded_at",
                    "released_at",
                ]
            )
            for g in state["grades"]:
                writer.writerow(
                    [
                        g["username"],
                        g["submission_id"],
                        g["state"],
                        g["score"],
                        g["max_score"],
                        g["credit_percent"],
                        g["graded_at"],
                        g["released_at"],
                    ]
                )
            return
        jobs = ", ".join(f"{n} {s}" for s, n in state["jobs"].items() if n)
        print(f"{course}/{assignment}: jobs {jobs or 'none'}")
        for g in state["grades"]:
            print(
                f"  {g['username']:<20} {g['submission_id']}  {g['score']:>6.2f} / "
                f"{g['max_score']:<6.2f} {g['state']}"
            )
            for reason in g.get("review_reasons") or []:
                print(f"      review: {reason}")


class ScoreApp(APIClientApp):
    """Grade a manual part, or override an automatic score, of one submission (audited)."""

    name = "nbcampus-score"
    description = (
        "nbcampus score COURSE SUBMISSION NOTEBOOK GRADE_ID POINTS --reason=... [--comment=...]"
    )
    aliases = {**APIClientApp.aliases, "comment": "ScoreApp.comment"}
    comment = Unicode("", help="A comment the learner sees with the feedback.").tag(config=True)

    def start(self) -> None:
        course, submission, notebook, grade_id, points = self.need_args(5, self.description)
        body = {
            "notebook": notebook,
            "grade_id": grade_id,
            "points": float(points),
            "reason": self.reason,
        }
        if self.comment:
            body["comment"] = self.comment
        grade = self.call("POST", f"courses/{course}/grades/{submission}/cells", json=body)
        print(
            f"{grade['username']}: {grade['score']:.2f} / {grade['max_score']:.2f} "
            f"({notebook}/{grade_id} = {float(points)})"
        )
