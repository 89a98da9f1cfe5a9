"""Notification benchmark (issue 14): deadline reminders computed and queued for many
enrolments (target: 100,000 in under 30 s on 2 cores), and mails sent per second to a local SMTP
server (aiosmtpd, in this process, on 127.0.0.1).

Usage: .venv/bin/python benchmarks/notifications.py [--enrolments 100000] [--mails 500]
       [--db sqlite|postgresql]

Builds a service database with one self-paced course whose exercise is due 7 days after each
learner's start, and --enrolments learners who started 7 days minus 5 hours ago (rows written in
bulk: the set-up is not timed), so each one is due a 6-hour reminder. Then times:

1. reminders: one pass of ``notifications.remind`` (each learner's own due date from the
   deadlines package, the reminder rows, the notifications);
2. mails: --mails of those learners have an address; the sender composes and sends their mails
   through the SMTP server, which counts them.

Prints the figures and a final JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, func, insert, select, text

from nbcampus.course.loader import load_course
from nbcampus.school.core.db import Database, upgrade
from nbcampus.school.core.models import utcnow
from nbcampus.school.enrolment.models import ENROLLED, Enrolment
from nbcampus.school.notifications import api as notifications
from nbcampus.school.notifications.models import MailProfile, Notification
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.testing import PG_URL, free_port, write_course

MAX_ENROLMENTS = 100_000  # bounded: the benchmark never grows past this
COURSE = "bench-reminders"


class Counter:
    """The SMTP server's side: how many mails arrived."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def populate(db: Database, folder: Path, enrolments: int, addresses: int) -> None:
    with db.session() as session:
        publish_course(session, load_course(folder))
    start = utcnow() - timedelta(days=7) + timedelta(hours=5)
    rows = [
        {
            "course_id": COURSE,
            "username": f"learner{i:06d}",
            "cohort_id": None,
            "status": ENROLLED,
            "track": "audit",
            "personal_start": start,
            "enrolled_at": start,
            "updated_at": start,
        }
        for i in range(enrolments)
    ]
    with db.session() as session:
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(Enrolment), rows[chunk : chunk + 5000])
        addressed = [
            {"username": f"learner{i:06d}", "email": f"learner{i}@example.org", "digest": "single"}
            for i in range(addresses)
        ]
        if addressed:
            session.execute(insert(MailProfile), addressed)


async def send_all(db: Database, mailer, expected: int, counter: Counter) -> float:
    composer = notifications.Composer(mailer, b"bench")
    sender = notifications.MailSender(db, mailer, composer, owner="bench")
    started = time.perf_counter()
    for _ in range(expected // mailer.batch + 10):  # bounded
        await sender.run_once()
        if counter.count >= expected:
            break
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrolments", type=int, default=MAX_ENROLMENTS)
    parser.add_argument("--mails", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    enrolments = min(args.enrolments, MAX_ENROLMENTS)
    mails = min(args.mails, enrolments)

    with tempfile.TemporaryDirectory(prefix="nbcampus-bench-notify-") as tmp:
        schema = None
        if args.db == "sqlite":
            url = f"sqlite:///{tmp}/service.sqlite"
        else:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        counter = Counter()
        controller = Controller(counter, hostname="127.0.0.1", port=free_port())
        controller.start()
        try:
            upgrade(url)
            db = Database(url)
            folder = write_course(Path(tmp) / "courses", COURSE, due_offset_days=7)
            started = time.perf_counter()
            populate(db, folder, enrolments, mails)
            print(
                f"set-up (not timed): {enrolments} enrolments in {time.perf_counter() - started:.1f} s"
            )

            started = time.perf_counter()
            with db.session() as session:
                reminded = notifications.remind(session)
            remind_s = time.perf_counter() - started
            # each learner is due the course's exercise and its quiz
            assert reminded == 2 * enrolments, (reminded, enrolments)
            print(f"reminders: {reminded} queued in {remind_s:.2f} s ({reminded / remind_s:.0f}/s)")

            mailer = notifications.Mailer(
                enabled=True,
                host="127.0.0.1",
                port=controller.port,
                batch=50,
                public_url="https://campus.example.org/",
                service_prefix="/services/nbcampus/",
            )
            send_s = asyncio.run(send_all(db, mailer, mails, counter))
            assert counter.count == mails, (counter.count, mails)
            with db.session() as session:
                told = session.scalar(select(func.count()).select_from(Notification))
            print(f"mails: {counter.count} sent in {send_s:.2f} s ({counter.count / send_s:.0f}/s)")
            print(
                json.dumps(
                    {
                        "benchmark": "notifications",
                        "db": args.db,
                        "enrolments": enrolments,
                        "reminders": reminded,
                        "notifications": told,
                        "remind_seconds": round(remind_s, 2),
                        "mails": counter.count,
                        "mail_seconds": round(send_s, 2),
                        "mails_per_second": round(counter.count / send_s, 1),
                        "target_met": remind_s < 30 * enrolments / MAX_ENROLMENTS,
                    }
                )
            )
            db.dispose()
        finally:
            controller.stop()
            if schema:
                with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
