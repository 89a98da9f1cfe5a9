"""Quiz benchmarks (issue 5): Voilà quiz page time to interactive, and the answer round trip.

Usage: .venv/bin/python benchmarks/quiz.py [--learners 50] [--rounds 4] [--db sqlite|postgresql]

Everything runs on this machine on loopback against a real JupyterHub with the nbcampus service
(the test courses of nbcampus.testing). Prints figures and a final JSON line.

1. Time to interactive: a learner's Voilà page of the week-1 quiz, in Debian's chromium, from
   navigation to the quiz widgets on screen (questions loaded from the service); first load after
   the server started, then warm loads (reloads).
2. Round trip: --learners learners at once each post --rounds answer sets (POST attempts: scored
   and recorded by the service); p50/p99 of the round trip.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from nbcampus.testing import running_campus

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"]
QUIZ = "courses/open-mooc/quizzes/week1-quiz"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def round_trips(school, learners: int, rounds: int) -> dict:
    admin = school.tokens["admin"]
    with ThreadPoolExecutor(16) as pool:
        tokens = list(
            pool.map(lambda i: school.user_token(f"quizzer{i:04d}", admin), range(learners))
        )
        list(
            pool.map(
                lambda t: school.api(t, "POST", "courses/open-mooc/enrolments", json={}), tokens
            )
        )
    barrier = threading.Barrier(learners)
    latencies: list[float] = []
    errors: list[int] = []

    def learner(token: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"token {token}"
        url = f"{school.url}services/nbcampus/api/{QUIZ}"
        session.get(url, timeout=60).raise_for_status()
        barrier.wait()
        for i in range(rounds):
            started = time.perf_counter()
            r = session.post(f"{url}/attempts", json={"answers": {"q1": i % 2}}, timeout=60)
            latencies.append(time.perf_counter() - started)
            if r.status_code != 201:
                errors.append(r.status_code)

    started = time.perf_counter()
    with ThreadPoolExecutor(learners) as pool:
        list(pool.map(learner, tokens))
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "per_second": round(len(latencies) / wall, 1),
    }


def time_to_interactive(school, warm_loads: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    school.api(school.tokens["ana"], "POST", "courses/open-mooc/enrolments", json={})
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{school.url}hub/login")
        page.fill("#username_input", "ana")
        page.fill("#password_input", school.passwords["ana"])
        page.click("#login_submit")
        page.wait_for_url("**/user/ana/lab**", timeout=180_000)
        url = f"{school.url}user/ana/voila/render/open-mooc/quizzes/week1-quiz.ipynb"
        times = []
        for _ in range(1 + warm_loads):
            started = time.perf_counter()
            page.goto(url)
            page.locator(".nbcampus-quiz").wait_for(timeout=180_000)
            times.append(time.perf_counter() - started)
        browser.close()
    warm = times[1:]
    return {
        "first_s": round(times[0], 2),
        "warm_median_s": round(sorted(warm)[len(warm) // 2], 2),
        "warm_s": [round(t, 2) for t in warm],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nbcampus-quiz-bench-") as tmp:
        with running_campus(Path(tmp), args.db, name="quiz-bench") as school:
            tti = time_to_interactive(school)
            print(
                f"Voilà quiz page time to interactive: first {tti['first_s']} s,"
                f" warm median {tti['warm_median_s']} s (warm loads {tti['warm_s']})"
            )
            rt = round_trips(school, args.learners, args.rounds)
            print(
                f"Quiz answer round trip, {args.learners} concurrent learners x {args.rounds}"
                f" ({args.db}): p50 {rt['p50_ms']} ms, p99 {rt['p99_ms']} ms,"
                f" {rt['per_second']} answers/s, {rt['errors']} errors"
            )
    print(json.dumps({"db": args.db, "time_to_interactive": tti, "round_trip": rt}))


if __name__ == "__main__":
    main()
