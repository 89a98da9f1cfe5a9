"""Where :func:`~nbcampus_graders.autograde.grade` runs: a local pool of worker processes, or a
Dask cluster. Both take a task and give back a future with ``result()`` and ``done()``."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Protocol

from .autograde import GradingResult, GradingTask, grade
from .lifeline import die_with


class Backend(Protocol):
    capacity: int

    def submit(self, task: GradingTask) -> Future: ...

    def close(self) -> None: ...


def _init_worker(owner: int) -> None:
    """Start of a pool worker: die with ``owner`` (see ``lifeline``), skip slow imports."""
    from nbcampus.startup import skip_slow_imports

    die_with(owner)
    skip_slow_imports()


def grade_in_worker(task: GradingTask) -> GradingResult:
    return grade(task)


#: default worker processes per core: a grading task spends much of its time not computing (a
#: kernel starting, a cell waiting out its timeout, feedback written), so two per core keep the
#: cores busy; benchmarks/grading.py --workers N compares (on 2 cores: 30.7 s with 2, 21.7 s with 4)
WORKERS_PER_CORE = 2


class LocalPool:
    """Worker processes (by default ``WORKERS_PER_CORE`` per core), started with ``forkserver``
    (the service has threads: no plain fork). They die with the process that made the pool,
    even on kill -9, and take the forkserver, the resource tracker and their sandboxes with
    them (see ``lifeline``)."""

    def __init__(self, workers: int = 0):
        self.capacity = workers or WORKERS_PER_CORE * (os.cpu_count() or 1)
        self.pool = ProcessPoolExecutor(
            self.capacity,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )

    def submit(self, task: GradingTask) -> Future:
        return self.pool.submit(grade_in_worker, task)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class DaskBackend:
    """Tasks go to a Dask distributed scheduler; each Dask worker grades in its own sandbox.

    Tasks carry everything (submission and key as bytes): workers need no shared disk or database.
    """

    #: seconds between two looks at the cluster's size
    refresh_seconds = 10.0

    def __init__(self, address: str):
        from distributed import Client

        self.client = Client(address, set_as_default=False)
        self._capacity = 1
        self._checked = float("-inf")

    @property
    def capacity(self) -> int:
        """Worker threads in the cluster now: it grows and shrinks (workers scaled on
        Kubernetes before a deadline) and the grading worker claims jobs to match."""
        now = time.monotonic()
        if now - self._checked >= self.refresh_seconds:
            info = self.client.scheduler_info()
            self._capacity = max(1, sum(w["nthreads"] for w in info["workers"].values()))
            self._checked = now
        return self._capacity

    def submit(self, task: GradingTask) -> Future:
        # pure=False: a regrade of the same submission must run again
        return self.client.submit(grade_in_worker, task, pure=False, retries=0)

    def close(self) -> None:
        self.client.close()
