"""The Dask backend on a real distributed.LocalCluster with process workers."""

from __future__ import annotations

import pytest
from distributed import LocalCluster

from nbcampus.testing import running_campus
from nbcampus_graders.autograde import GradingTask
from nbcampus_graders.backends import DaskBackend

from .conftest import FAST, answer
from .test_grading_service import call, my_grade, submit, wait_for


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster


def test_dask_workers_grade_like_the_local_grader(cluster, ex1):
    files, key = ex1
    backend = DaskBackend(cluster.scheduler_address)
    try:
        assert backend.capacity == 2
        futures = [
            backend.submit(
                GradingTask(f"s{i}", "open-mooc", "ex1", "ana", answer(files, code), key, FAST)
            )
            for i, code in enumerate(
                ["def double(x):\n    return 2 * x", "def double(x):\n    return x + 2"]
            )
        ]
        right, wrong = (f.result(timeout=120) for f in futures)
    finally:
        backend.close()
    assert right.sandboxed and right.auto_score == 2 and wrong.auto_score == 0


@pytest.mark.hub
def test_the_service_grades_on_a_dask_cluster(cluster, tmp_path):
    config = (
        "c.GradingWorker.backend = 'dask'\n"
        f"c.GradingWorker.scheduler_address = {cluster.scheduler_address!r}\n"
        "c.GradingWorker.poll_seconds = 0.2\n"
    )
    with running_campus(tmp_path, "sqlite", name="grading-dask", service_config=config) as campus:
        call(campus, "ana", "POST", "courses/open-mooc/enrolments", json={})
        sub = submit(campus, "ana", "open-mooc", "def double(x):\n    return 2 * x")
        grade = wait_for(
            lambda: (g := my_grade(campus, "ana", sub["id"])) and g["state"] == "graded" and g
        )
        assert grade["score"] == 2
        assert "dask backend" in campus.log()
