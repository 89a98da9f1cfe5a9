"""A stand-in for the service in the orphan test: a process that grades on a real LocalPool.

``python pool_host.py KEY GOOD BUSY``: grades the submission in GOOD to its end (so every worker
has its sandboxed kernel zygote), then queues BUSY (a cell that never ends) on every worker and
prints ``busy`` once the pool is working on them; then waits to be killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from nbcampus_graders.autograde import GradingTask
from nbcampus_graders.backends import LocalPool

FAST = {"Execute": {"timeout": 60}, "CampusExecute": {"job_timeout": 120}}


def task(key: bytes, notebook: bytes, n: int) -> GradingTask:
    """A grading task of ex1 with ``notebook`` as the submission."""
    return GradingTask(
        submission_id=f"s{n}",
        course_id="open-mooc",
        assignment_id="ex1",
        username=f"learner{n}",
        files={"ex1.ipynb": notebook},
        key=key,
        config=FAST,
    )


def main() -> None:
    key, good, busy = (Path(p).read_bytes() for p in sys.argv[1:4])
    pool = LocalPool(2)
    results = [pool.submit(task(key, good, n)) for n in range(2)]
    for future in results:
        assert future.result(timeout=300).auto_score == 2
    pending = [pool.submit(task(key, busy, n)) for n in range(2, 4)]
    time.sleep(2)  # the kernels are in the endless cell
    assert not any(f.done() for f in pending)
    print("busy", flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main()
