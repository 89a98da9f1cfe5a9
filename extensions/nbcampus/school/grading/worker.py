"""The grading worker: takes jobs from the service database, grades them on a backend, records
grades and feedback. Runs inside the service (default) or on its own (``nbcampus grader``).

Leases: a job is claimed for ``lease_seconds`` and renewed while it runs. A worker killed with
kill -9 stops renewing; once the lease expires any worker claims the job again. Results are
written only while the lease is held (see ``nbcampus.school.grading.queue.complete``).
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import time
import traceback
import uuid
from concurrent.futures import Future
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from traitlets import Enum, Float, Integer, Unicode
from traitlets.config import LoggingConfigurable

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import Database
from nbcampus.school.exchange import api as exchange
from nbcampus.school.exchange.api import Submission
from nbcampus.school.grading import feedback
from nbcampus.school.grading import queue as grading
from nbcampus.school.grading.models import Grade, GradingJob
from nbcampus_graders.autograde import GradingResult, GradingTask
from nbcampus_graders.backends import DaskBackend, LocalPool


class GradingWorker(LoggingConfigurable):
    backend = Enum(
        ["local", "dask"], "local", help="Where submissions are graded: local processes or Dask."
    ).tag(config=True)
    workers = Integer(
        0,
        help="Local worker processes; 0 means two per core (tasks often wait: kernel start, "
        "cell timeouts). Each may hold a sandbox of up to Sandbox.memory_mb.",
    ).tag(config=True)
    scheduler_address = Unicode(
        "", help="Dask scheduler address (tcp://host:8786) for backend 'dask'."
    ).tag(config=True)
    lease_seconds = Float(120.0, help="Lease of a running job; renewed while it runs.").tag(
        config=True
    )
    poll_seconds = Float(0.5, help="How often the queue is polled when idle.").tag(config=True)
    max_attempts = Integer(
        3, help="Attempts before a crashing submission is given up and marked for review."
    ).tag(config=True)
    cell_timeout = Integer(30, help="Seconds one cell may run (nbgrader's Execute.timeout).").tag(
        config=True
    )

    def __init__(self, db: Database, exchange_dir: str | Path, **kwargs):
        super().__init__(**kwargs)
        self.db = db
        self.exchange_dir = Path(exchange_dir)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.running: dict[int, Future] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._backend = None

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    def make_backend(self):
        if self.backend == "dask":
            return DaskBackend(self.scheduler_address)
        return LocalPool(self.workers)

    def task_config(self) -> dict:
        config = {"Execute": {"timeout": self.cell_timeout}}
        for section in ("Sandbox", "CampusExecute", "LimitOutput"):
            if section in self.config:
                config[section] = dict(self.config[section])
        return config

    # one job ----------------------------------------------------------------------------------
    def build_task(self, job: GradingJob) -> GradingTask:
        with self.db.session(readonly=True) as session:
            submission = session.get(Submission, job.submission_id)
            release = exchange.current_release(session, job.course_id, job.assignment_id)
            if release is None:
                raise RuntimeError(f"{job.course_id}/{job.assignment_id} has no release")
            key_path = exchange.grading_key_path(self.exchange_dir, release)
            folder = self.exchange_dir / submission.storage
            files = {name: (folder / name).read_bytes() for name in submission.files}
        if not key_path.is_file():
            raise RuntimeError(
                f"{job.course_id}/{job.assignment_id} has no grading key (released by hand, "
                "not from the course sources): grade it with nbgrader's formgrader"
            )
        return GradingTask(
            submission_id=job.submission_id,
            course_id=job.course_id,
            assignment_id=job.assignment_id,
            username=job.username,
            files=files,
            key=key_path.read_bytes(),
            config=self.task_config(),
        )

    def record(self, job_id: int, result: GradingResult) -> bool:
        outcome = grading.Outcome(
            state=result.state,
            auto_score=result.auto_score,
            max_score=result.max_score,
            cells=result.cells,
            review_reasons=result.review_reasons,
        )
        with self.db.session() as session:
            grade = grading.complete(session, job_id, self.owner, outcome)
            if grade is None:
                self.log.warning(
                    "job %s: lease lost, result dropped (another worker grades it)", job_id
                )
                return False
            submission = session.get(Submission, grade.submission_id)
            self._store_feedback(session, submission, grade, result)
        return True

    def _store_feedback(self, session, submission: Submission, grade: Grade, result) -> None:
        course = get_course(session, submission.course_id)
        graded = {name: base64.b64decode(data) for name, data in result.graded.items()}
        feedback.keep_pending(self.exchange_dir, submission.id, dict(result.feedback), graded)
        if feedback.feedback_policy(course.data) == feedback.IMMEDIATE:
            feedback.release(session, self.exchange_dir, submission, grade, actor="grader")

    def run_job(self, job: GradingJob) -> Future | None:
        try:
            task = self.build_task(job)
        except Exception as e:  # missing files or key: a crash of grading, not of the learner
            self.give_up(job.id, f"{type(e).__name__}: {e}")
            return None
        return self._backend.submit(task)

    def give_up(self, job_id: int, error: str) -> None:
        self.log.error("job %s failed: %s", job_id, error)
        with self.db.session() as session:
            grading.fail(session, job_id, self.owner, error, self.max_attempts)

    # the loop ---------------------------------------------------------------------------------
    def step(self) -> int:
        """Claim what fits, collect what finished, renew leases. Returns jobs in flight."""
        for job_id, future in list(self.running.items()):
            if not future.done():
                continue
            del self.running[job_id]
            try:
                result = future.result()
            except Exception as e:
                self.give_up(job_id, "".join(traceback.format_exception_only(e)).strip())
                continue
            try:
                self.record(job_id, result)
            except Exception:
                self.log.exception("job %s: could not record its grade", job_id)
        free = self._backend.capacity - len(self.running)
        if free > 0:
            with self.db.session() as session:
                jobs = grading.claim(session, self.owner, self.lease, limit=free)
                session.expunge_all()
            for job in jobs:
                future = self.run_job(job)
                if future is not None:
                    self.running[job.id] = future
        if self.running:
            with self.db.session() as session:
                grading.renew(session, self.owner, list(self.running), self.lease)
        return len(self.running)

    def run(self) -> None:
        self._backend = self.make_backend()
        self.log.info(
            "grading worker %s: %s backend, %s at once",
            self.owner,
            self.backend,
            self._backend.capacity,
        )
        try:
            while not self._stop.is_set():
                try:
                    busy = self.step()
                except Exception:  # the database is away, a backend hiccup: keep serving
                    self.log.exception("grading step failed; retrying")
                    busy = 0
                self._stop.wait(self.poll_seconds if not busy else min(self.poll_seconds, 0.2))
        finally:
            self._backend.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="nbcampus-grader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def drain(self, timeout: float = 600) -> None:
        """Grade until no job is queued or running (for the command line and benchmarks)."""
        self._backend = self._backend or self.make_backend()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = self.step()
            with self.db.session(readonly=True) as session:
                # running jobs of other workers count: a dead worker's lease expires and we take it
                waiting = session.scalar(
                    select(GradingJob.id)
                    .where(GradingJob.state.in_(("queued", "running")))
                    .limit(1)
                )
            if not busy and waiting is None:
                return
            time.sleep(0.1)
        raise TimeoutError("grading did not finish in time")
