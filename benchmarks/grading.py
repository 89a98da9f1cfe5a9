"""Grading speed: stock ``nbgrader autograde`` against the nbcampus grader, same submissions.

Part 1: 40 submissions of the demo course's week-1 exercises (correct, partly wrong, raising,
infinite loop, memory hog), graded by stock nbgrader (one at a time, no sandbox) and by nbcampus
(local pool, one worker per core, every submission in its bubblewrap sandbox). Same cell
timeout for both. Prints wall time, time per submission, the ratio, and whether scores agree.

Part 2: a burst of 200 submissions through a real hub + service (auto-grade on submission,
MOOC feedback released when graded): submit-to-feedback latency p50/p95 on the server's clock.

Run: .venv/bin/python benchmarks/grading.py [--burst 200] [--skip-burst]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "extensions"))
sys.path.insert(0, str(ROOT / "graders"))
os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ['PATH']}"

from nbcampus.school.publishing.releases import generate_release  # noqa: E402
from nbcampus_graders.autograde import GradingTask  # noqa: E402
from nbcampus_graders.backends import LocalPool  # noqa: E402

SOURCE = ROOT / "courses" / "python-data" / "source" / "week1-exercises"
ASSIGNMENT = SOURCE.name
TIMEOUT = 10  # seconds per cell, both graders

ANSWERS = {
    "bmi": {
        "correct": None,  # the source's solution
        "wrong": "def bmi(weight_kg, height_m):\n    return round(weight_kg / height_m, 1)",
        "raising": "def bmi(weight_kg, height_m):\n    raise RuntimeError('not done')",
        "loop": "def bmi(weight_kg, height_m):\n    while True:\n        pass",
        "hog": "hog = bytearray(2 * 1024 ** 3)\ndef bmi(weight_kg, height_m):\n    return len(hog)",
    }
}
MIX = ["correct"] * 16 + ["wrong"] * 10 + ["raising"] * 6 + ["loop"] * 4 + ["hog"] * 4


def submissions() -> dict[str, dict[str, bytes]]:
    source = nbformat.read(SOURCE / "exercises.ipynb", as_version=4)
    out = {}
    for i, kind in enumerate(MIX):
        nb = nbformat.from_dict(source)
        replacement = ANSWERS["bmi"][kind]
        for cell in nb.cells:
            if replacement and cell.metadata.get("nbgrader", {}).get("grade_id") == "bmi":
                cell.source = replacement
        out[f"s{i:02d}-{kind}"] = {"exercises.ipynb": nbformat.writes(nb).encode()}
    return out


def stock(subs: dict[str, dict[str, bytes]], root: Path) -> tuple[float, dict, float]:
    """Stock autograde's wall time and scores, and the wall time of its generate_feedback (the
    feedback pages nbcampus makes in the same task as the grade)."""
    (root / "source").mkdir(parents=True)
    subprocess.run(["cp", "-r", str(SOURCE), str(root / "source" / ASSIGNMENT)], check=True)
    for student, files in subs.items():
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    common = [f"--CourseDirectory.root={root}", "--CourseDirectory.course_id=bench"]
    nbg = [sys.executable, "-m", "nbgrader"]
    subprocess.run(
        [*nbg, "generate_assignment", ASSIGNMENT, "--force", *common],
        check=True,
        capture_output=True,
        cwd=root,
    )
    started = time.perf_counter()
    subprocess.run(
        [*nbg, "autograde", ASSIGNMENT, "--force", f"--Execute.timeout={TIMEOUT}", *common],
        check=True,
        capture_output=True,
        cwd=root,
    )
    wall = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(
        [*nbg, "generate_feedback", ASSIGNMENT, "--force", *common],
        check=True,
        capture_output=True,
        cwd=root,
    )
    feedback_wall = time.perf_counter() - started
    script = (
        "import json\nfrom nbgrader.api import Gradebook\n"
        f"gb = Gradebook('sqlite:///{root}/gradebook.db')\n"
        f"print(json.dumps({{s: gb.find_submission({ASSIGNMENT!r}, s).score for s in {list(subs)!r}}}))"
    )
    scores = json.loads(
        subprocess.run(
            [sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=root
        ).stdout
    )
    return wall, scores, feedback_wall


def ours(subs: dict[str, dict[str, bytes]], workers: int = 0) -> tuple[float, dict, float, int]:
    _, key = generate_release(SOURCE, "bench")
    pool = LocalPool(workers)
    config = {"Execute": {"timeout": TIMEOUT}}
    try:
        # warm the worker processes (imports), as a running grader is
        pool.submit(
            GradingTask("warm", "bench", ASSIGNMENT, "w", next(iter(subs.values())), key, config)
        ).result()
        started = time.perf_counter()
        futures = {
            student: pool.submit(
                GradingTask(student, "bench", ASSIGNMENT, student, files, key, config)
            )
            for student, files in subs.items()
        }
        results = {s: f.result() for s, f in futures.items()}
        wall = time.perf_counter() - started
    finally:
        pool.close()
    per_task = statistics.mean(r.seconds for r in results.values())
    return wall, {s: r.auto_score for s, r in results.items()}, per_task, pool.capacity


def burst(count: int) -> None:
    from sqlalchemy import create_engine, text

    from nbcampus.testing import running_campus

    learners = ["ana", "bo", "cy"]
    config = "c.GradingWorker.poll_seconds = 0.2\nc.GradingWorker.cell_timeout = 10\n"
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_campus(Path(tmp), "sqlite", name="bench-grading", service_config=config) as campus,
    ):
        for who in learners:
            campus.api(campus.tokens[who], "POST", "courses/open-mooc/enrolments", json={})
        release = campus.api(
            campus.tokens["ana"], "GET", "exchange/courses/open-mooc/assignments/ex1/release"
        ).content
        with zipfile.ZipFile(io.BytesIO(release)) as archive:
            nb = nbformat.reads(archive.read("ex1.ipynb").decode(), as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = "def double(x):\n    return 2 * x"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("ex1.ipynb", nbformat.writes(nb))
        body = buffer.getvalue()
        errors = []

        def send(who, n):
            for _ in range(n):
                r = campus.api(
                    campus.tokens[who],
                    "POST",
                    "exchange/courses/open-mooc/assignments/ex1/submissions",
                    data=body,
                    headers={"Content-Type": "application/zip"},
                )
                if r.status_code != 201:
                    errors.append(r.status_code)

        started = time.perf_counter()
        per = [
            count // len(learners) + (1 if i < count % len(learners) else 0)
            for i in range(len(learners))
        ]
        threads = [
            threading.Thread(target=send, args=(w, n)) for w, n in zip(learners, per, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        submitted = time.perf_counter() - started
        engine = create_engine(campus.db_url)
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                done = conn.execute(
                    text("SELECT count(*) FROM grades WHERE released_at IS NOT NULL")
                ).scalar()
            if done >= count - len(errors):
                break
            time.sleep(1)
        total = time.perf_counter() - started
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT s.received_at, g.released_at, g.score FROM submissions s "
                    "JOIN grades g ON g.submission_id = s.id"
                )
            ).all()
            jobs = conn.execute(
                text("SELECT count(*), count(DISTINCT submission_id) FROM grades")
            ).one()
        engine.dispose()
    from datetime import datetime

    def parse(v):
        return v if isinstance(v, datetime) else datetime.fromisoformat(str(v))

    lat = sorted((parse(b) - parse(a)).total_seconds() for a, b, _ in rows if b is not None)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]  # noqa: E731
    print(
        f"\nburst: {count} submissions from {len(learners)} learners in {submitted:.1f} s; "
        f"all graded and released after {total:.1f} s; refused uploads: {len(errors)}"
    )
    print(
        f"  grades: {jobs[0]} rows for {jobs[1]} submissions (exactly one each: {jobs[0] == jobs[1] == count})"
    )
    print(
        f"  submit-to-feedback latency: p50 {p(0.5):.1f} s, p95 {p(0.95):.1f} s, max {lat[-1]:.1f} s"
    )
    print(f"  throughput: {count / total:.2f} submissions/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument(
        "--workers", type=int, default=0, help="nbcampus grading processes (0: the default)"
    )
    parser.add_argument("--skip-stock", action="store_true", help="only time nbcampus (no ratio)")
    args = parser.parse_args()
    subs = submissions()
    with tempfile.TemporaryDirectory() as tmp:
        print(
            f"{len(subs)} submissions of python-data/{ASSIGNMENT}: "
            + ", ".join(f"{MIX.count(k)} {k}" for k in dict.fromkeys(MIX))
            + f"; cell timeout {TIMEOUT} s for both"
        )
        if not args.skip_stock:
            stock_wall, stock_scores, feedback_wall = stock(subs, Path(tmp) / "stock")
            print(
                f"stock nbgrader autograde: {stock_wall:.1f} s, {stock_wall / len(subs):.2f} s per submission (1 process, no sandbox)"
            )
            print(
                f"stock nbgrader generate_feedback after it: {feedback_wall:.1f} s "
                "(nbcampus makes the feedback pages in the grading task itself)"
            )
    our_wall, our_scores, per_task, workers = ours(subs, args.workers)
    print(
        f"nbcampus (sandboxed, {workers} workers): {our_wall:.1f} s, "
        f"{our_wall / len(subs):.2f} s per submission (each {per_task:.2f} s of work)"
    )
    if args.skip_stock:
        return  # no stock run in this one: no ratio
    print(f"ratio: nbcampus is {stock_wall / our_wall:.2f}x faster (target >= 3x)")
    print(
        f"ratio with the same output (stock autograde + generate_feedback): "
        f"{(stock_wall + feedback_wall) / our_wall:.2f}x"
    )
    same = {s for s in subs if abs((stock_scores[s] or 0) - our_scores[s]) < 1e-9}
    print(f"scores equal to stock: {len(same)}/{len(subs)}")
    for s in sorted(set(subs) - same):
        print(f"  {s}: stock {stock_scores[s]} nbcampus {our_scores[s]}")
    if not args.skip_burst:
        burst(args.burst)


if __name__ == "__main__":
    main()
