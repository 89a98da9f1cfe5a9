"""The nbcampus service application: settings, routes, start-up."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler
from jupyterhub.utils import url_path_join
from tornado import web
from traitlets import Bool, Float, Integer, List, Unicode, default
from traitlets.config import Application

from nbcampus import __version__
from nbcampus.school.certificates import api as certificates
from nbcampus.school.certificates.api import CertificateSettings
from nbcampus.school.core.api import (
    Database,
    default_db_url,
    shared_secret,
    startup_lock,
    upgrade,
    utcnow,
)
from nbcampus.school.exchange.api import Limits
from nbcampus.school.notifications import api as notifications
from nbcampus.school.notifications.api import Composer, Mailer, MailSender
from nbcampus.school.peer_review.api import record_due
from nbcampus.school.publishing.api import seed_enrolments, sync_catalog
from nbcampus.service.api import ROUTES
from nbcampus.service.openapi import openapi_document
from nbcampus.service.pages.certificate import CertificatePdfPage
from nbcampus.service.pages.course_home import CourseHomePage
from nbcampus.service.pages.dashboard import DashboardPage
from nbcampus.service.pages.discussion import DiscussionListPage, ThreadPage
from nbcampus.service.pages.home import HomePage
from nbcampus.service.pages.profile import ProfilePage
from nbcampus.service.pages.report import ReportPage
from nbcampus.service.pages.verify import VerifyPage
from nbcampus.startup import skip_slow_imports

__all__ = ["ROUTES", "CampusService", "main", "route_regex"]

#: the HTML pages: (path template, handler)
PAGES: list[tuple[str, type[web.RequestHandler]]] = [
    ("/courses/{course}/", CourseHomePage),
    ("/courses/{course}/dashboard", DashboardPage),
    ("/courses/{course}/report", ReportPage),
    ("/courses/{course}/discussion", DiscussionListPage),
    ("/courses/{course}/discussion/{thread}", ThreadPage),
    ("/verify/{certificate}", VerifyPage),
    ("/certificates/{certificate}/pdf", CertificatePdfPage),
    ("/profile", ProfilePage),
]


def route_regex(template: str) -> str:
    """``/api/courses/{course}`` -> a Tornado pattern with one group per parameter."""
    return re.sub(r"\{(\w+)\}", r"([^/]+)", template) + "$"


class CampusService(Application):
    """The nbcampus hub service: catalog, enrolment, cohorts, deadlines."""

    name = "nbcampus-service"
    version = __version__
    description = "Run the nbcampus service (started by JupyterHub as a managed service)."

    @default("log_level")
    def _default_log_level(self) -> int:
        return logging.INFO

    # times in the hub's log, as the hub's own lines have them
    @default("log_format")
    def _default_log_format(self) -> str:
        return "[%(levelname)1.1s %(asctime)s.%(msecs).03d %(name)s] %(message)s"

    @default("log_datefmt")
    def _default_log_datefmt(self) -> str:
        return "%Y-%m-%d %H:%M:%S"

    db_url = Unicode(
        help="SQLAlchemy URL of the service database. From NBCAMPUS_DB_URL, else SQLite in the state dir."
    ).tag(config=True)

    @default("db_url")
    def _default_db_url(self) -> str:
        return default_db_url(self.state_dir)

    state_dir = Unicode(help="State folder. From NBCAMPUS_STATE_DIR.").tag(config=True)

    @default("state_dir")
    def _default_state_dir(self) -> str:
        return os.environ.get("NBCAMPUS_STATE_DIR", os.path.abspath("var"))

    courses_dir = Unicode(
        help="Course folders to publish at start. From NBCAMPUS_COURSES_DIR."
    ).tag(config=True)

    @default("courses_dir")
    def _default_courses_dir(self) -> str:
        return os.environ.get("NBCAMPUS_COURSES_DIR", "")

    base_url = Unicode(help="URL prefix of the service. From JUPYTERHUB_SERVICE_PREFIX.").tag(
        config=True
    )

    @default("base_url")
    def _default_base_url(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/nbcampus/")

    ip = Unicode("127.0.0.1", help="Address to listen on.").tag(config=True)

    port = Integer(help="Port to listen on. From JUPYTERHUB_SERVICE_URL.").tag(config=True)

    @default("port")
    def _default_port(self) -> int:
        return (
            urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101")).port
            or 10101
        )

    exchange_dir = Unicode(
        help="Where releases, submissions and feedback are stored; <state>/exchange."
    ).tag(config=True)

    @default("exchange_dir")
    def _default_exchange_dir(self) -> str:
        return str(Path(self.state_dir) / "exchange")

    release_cache_dir = Unicode(
        help="A private folder keeping made exercise releases (learner's files and grading key) "
        "by the hash of their source, so that a course published again, by another replica or "
        "another school of this machine, is not run through nbgrader again. Off when empty. "
        "From NBCAMPUS_RELEASE_CACHE."
    ).tag(config=True)

    @default("release_cache_dir")
    def _default_release_cache_dir(self) -> str:
        return os.environ.get("NBCAMPUS_RELEASE_CACHE", "")

    @property
    def release_cache(self) -> Path | None:
        return Path(self.release_cache_dir) if self.release_cache_dir else None

    max_upload_bytes = Integer(
        20 * 1024 * 1024, help="Largest upload (compressed or not), in bytes."
    ).tag(config=True)

    seed_enrolments_file = Unicode(
        help="JSON {username: [course ids]} enrolled at start (the demo's learners). From NBCAMPUS_SEED_ENROLMENTS."
    ).tag(config=True)

    @default("seed_enrolments_file")
    def _default_seed_enrolments_file(self) -> str:
        return os.environ.get("NBCAMPUS_SEED_ENROLMENTS", "")

    @property
    def limits(self) -> Limits:
        return Limits(max_bytes=self.max_upload_bytes)

    service_config_file = Unicode(
        help="A traitlets config file for the service (and its grader). From NBCAMPUS_SERVICE_CONFIG."
    ).tag(config=True)

    @default("service_config_file")
    def _default_service_config_file(self) -> str:
        return os.environ.get("NBCAMPUS_SERVICE_CONFIG", "")

    auto_grade = Bool(True, help="Queue a grading job for every submission as it arrives.").tag(
        config=True
    )

    run_grader = Bool(
        True,
        help="Run a grading worker inside the service (GradingWorker config: local pool or Dask). "
        "Turn off when graders run on their own (`nbcampus grader`).",
    ).tag(config=True)

    discussion_posts_per_window = Integer(
        10,
        help="How many posts (threads and replies) a member may write in a course per "
        "discussion_window_seconds; mentors and staff are not limited.",
    ).tag(config=True)

    discussion_window_seconds = Integer(
        60, help="The window of the discussion rate limit, in seconds."
    ).tag(config=True)

    peer_grading_interval_seconds = Integer(
        600,
        help="How often the service writes the peer grades that flexible grading made due "
        "(a submission that waited long enough with fewer reviews than wanted); 0: never.",
    ).tag(config=True)

    mail_interval_seconds = Float(
        10.0,
        help="How often the mail sender looks for mails to send (Mailer: the SMTP settings; "
        "no mail is sent unless Mailer.enabled); 0: never.",
    ).tag(config=True)

    digest_interval_seconds = Float(
        900.0,
        help="How often the service gathers the daily and weekly digests that are due; 0: never.",
    ).tag(config=True)

    reminder_interval_seconds = Float(
        900.0, help="How often the service queues the deadline reminders now due; 0: never."
    ).tag(config=True)

    reminder_offsets_hours = List(
        Float(),
        [48.0, 6.0],
        help="Deadline reminders this many hours before each learner's own due date.",
    ).tag(config=True)

    db_threads = Integer(8, help="Threads running database work off the event loop.").tag(
        config=True
    )

    def initialize(self, argv=None) -> None:
        super().initialize(argv)
        if self.service_config_file:
            self.load_config_file(self.service_config_file)
        Path(self.state_dir).mkdir(parents=True, exist_ok=True)
        self.executor = ThreadPoolExecutor(self.db_threads, thread_name_prefix="nbcampus-db")
        Path(self.exchange_dir).mkdir(parents=True, exist_ok=True)
        # replicas starting together take turns: one migrates and publishes, the next finds
        # the schema current and the catalog unchanged
        with startup_lock(self.db_url):
            upgrade(self.db_url)
            self.db = Database(self.db_url)
            # the school's certificate settings and signing key (made on first start, mode
            # 0600; under the lock so that replicas sharing the state folder share one key)
            self.certificates = CertificateSettings(parent=self)
            self.signing_key = certificates.load_or_create(self.certificates.key_file)
            # the key of the mails' unsubscribe links (made once, shared by replicas)
            self.notification_secret = notifications.load_or_create_secret(self.state_dir)
            self.mailer = Mailer(parent=self)
            self.publish()

    def publish(self) -> None:
        """Publish the course folders and seed the enrolments file (at start, under the lock)."""
        if self.courses_dir:
            report = sync_catalog(
                self.db,
                self.courses_dir,
                exchange_dir=Path(self.exchange_dir),
                release_cache=self.release_cache,
            )
            self.log.info("Catalog: published %s, unchanged %s", report.published, report.unchanged)
            for course_id, problems in report.rejected.items():
                for problem in problems:
                    self.log.error("Course %s kept at its previous version: %s", course_id, problem)
        if self.seed_enrolments_file and Path(self.seed_enrolments_file).is_file():
            seeded = seed_enrolments(
                self.db, json.loads(Path(self.seed_enrolments_file).read_text())
            )
            if seeded:
                self.log.info("Enrolled from %s: %s", self.seed_enrolments_file, seeded)

    async def run(self, fn, *args):
        """Run blocking work (database) on the service's thread pool."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def cookie_secret(self) -> bytes:
        """The OAuth cookie signing secret: made once, kept in the state dir with mode 600."""
        return shared_secret(Path(self.state_dir) / "nbcampus_cookie_secret")

    def start_grader(self):
        """The in-service grading worker, or None when graders run elsewhere."""
        if not self.run_grader:
            return None
        # loaded only where this service grades: the grading engine imports nbgrader (~1 s)
        from nbcampus.school.grading.api import GradingWorker
        from nbcampus_graders.sandbox import Sandbox

        probe = Sandbox(config=self.config).probe()
        if not probe.available:
            self.log.warning(
                "GRADING SANDBOX UNAVAILABLE: %s. Submissions are not graded unless "
                "Sandbox.allow_unsandboxed = True (unsafe: learner code would see the grader's files).",
                probe.reason,
            )
        grader = GradingWorker(self.db, self.exchange_dir, config=self.config, log=self.log)
        grader.start()
        return grader

    async def every(self, seconds: float, name: str, once) -> None:
        """Run ``once()`` (database work) every ``seconds`` (never when 0), logging what it
        did; a failure is logged and the pass tried again next time."""
        while seconds > 0:
            await asyncio.sleep(seconds)
            try:
                done = await self.run(once)
            except Exception:
                self.log.exception("%s failed; trying again next time", name)
                continue
            if done:
                self.log.info("%s: %s", name, done)

    def in_session(self, fn, *args):
        with self.db.session() as session:
            return fn(session, *args)

    def periodic_passes(self) -> list[asyncio.Task]:
        """The service's periodic work: peer grades due by waiting, deadline reminders, mail
        digests, and the mail sender (when mail is enabled)."""
        composer = Composer(self.mailer, self.notification_secret)
        offsets = tuple(timedelta(hours=h) for h in self.reminder_offsets_hours)
        passes = [
            self.every(
                self.peer_grading_interval_seconds,
                "Peer grades written after their wait",
                lambda: self.in_session(record_due, utcnow()),
            ),
            self.every(
                self.reminder_interval_seconds,
                "Deadline reminders queued",
                lambda: self.in_session(notifications.remind, offsets),
            ),
        ]
        if self.mailer.enabled:
            passes.append(
                self.every(
                    self.digest_interval_seconds,
                    "Mail digests queued",
                    lambda: self.in_session(notifications.compose_digests, composer),
                )
            )
            if self.mail_interval_seconds > 0:
                sender = MailSender(self.db, self.mailer, composer, run=self.run)
                passes.append(sender.run_forever(self.mail_interval_seconds))
        return [asyncio.create_task(p) for p in passes]

    def make_app(self) -> web.Application:
        # one HubOAuth shared by the API handlers and the OAuth callback (HubAuthenticated.instance())
        HubOAuth.instance(cache_max_age=60)
        handlers = [(url_path_join(self.base_url, route_regex(t)), h) for t, h in ROUTES]
        handlers.append((url_path_join(self.base_url, "oauth_callback"), HubOAuthCallbackHandler))
        for page, handler in PAGES:
            handlers.append((url_path_join(self.base_url, route_regex(page)), handler))
        handlers.append((self.base_url, HomePage))
        document = openapi_document(self.base_url.rstrip("/"), self.max_upload_bytes)
        return web.Application(
            handlers,
            campus=self,
            openapi_document=document,
            xsrf_cookies=False,
            cookie_secret=self.cookie_secret(),
        )

    def start(self) -> None:
        async def serve():
            stop = asyncio.Event()
            # stop cleanly on the hub's SIGINT/SIGTERM, even where SIGINT was inherited as ignored
            for sig in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().add_signal_handler(sig, stop.set)
            app = self.make_app()
            app.listen(self.port, self.ip, xheaders=True, max_body_size=2 * self.max_upload_bytes)
            self.log.info(
                "nbcampus service listening on http://%s:%s%s", self.ip, self.port, self.base_url
            )
            grader = self.start_grader()
            passes = self.periodic_passes()
            await stop.wait()
            for task in passes:
                task.cancel()
            if grader is not None:
                grader.stop()
            self.log.info("nbcampus service stopping")
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.db.dispose()

        asyncio.run(serve())


def main() -> None:
    skip_slow_imports()
    CampusService.launch_instance()
