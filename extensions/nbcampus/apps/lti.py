"""``nbcampus lti sync COURSE``: the LMS rosters of the course's linked SPOC contexts applied,
then every learner's score on every exercise and quiz posted again to the platforms.

Run on the service's machine (its database, state folder and platforms file), like
``nbcampus grader``: it talks to the platforms with the tool's own key."""

from __future__ import annotations

import json
import os

from traitlets import Unicode, default
from traitlets.config import Application


class LtiSyncApp(Application):
    """Re-post a course's scores to its LMS courses (and apply their SPOC rosters)."""

    name = "nbcampus-lti-sync"
    description = "Post a course's scores to its LMS courses again: nbcampus lti sync COURSE"
    aliases = {
        "db-url": "LtiSyncApp.db_url",
        "state-dir": "LtiSyncApp.state_dir",
        "platforms": "LtiSettings.platforms_file",
    }

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

    def start(self) -> None:
        # loaded with the subcommand, not with `nbcampus` (SQLAlchemy, jwcrypto, requests)
        from nbcampus.school.core.api import Database
        from nbcampus.school.lti.api import LtiSettings, PlatformClient, score_posts, sync_course

        if len(self.extra_args) != 1:
            print("usage: nbcampus lti sync COURSE")
            self.exit(2)
        course_id = self.extra_args[0]
        settings = LtiSettings(parent=self, state_dir=self.state_dir)
        db = Database(self.db_url)
        try:
            result = sync_course(db, PlatformClient(settings.key()), settings, course_id)
            with db.session(readonly=True) as session:
                failed = [p for p in score_posts(session, course_id) if p["state"] != "sent"]
        finally:
            db.dispose()
        for context, roster in result["rosters"].items():
            if isinstance(roster, str):
                print(f"roster of LMS course #{context}: not applied: {roster}")
            else:
                print(
                    f"roster of LMS course #{context}: enrolled {len(roster.enrolled)}, "
                    f"unenrolled {len(roster.unenrolled)}, refused {len(roster.refused)}"
                    + (f" ({json.dumps(roster.refused)})" if roster.refused else "")
                )
        print(
            f"{course_id}: {result['line_items']} gradebook columns, "
            f"{result['queued']} scores queued, {result['sent']} sent"
        )
        for post in failed:
            print(
                f"  not sent yet: {post['username']} {post['item']} to LMS course "
                f"{post['lms_course']} ({post['state']}, {post['attempts']} tries): {post['error']}"
            )


class LtiApp(Application):
    """LTI 1.3 tasks."""

    name = "nbcampus-lti"
    description = "LTI 1.3 tasks: nbcampus lti sync COURSE"
    subcommands = {"sync": (LtiSyncApp, LtiSyncApp.description)}

    def start(self) -> None:
        if self.subapp is None:
            self.print_subcommands()
            self.exit(2)
        super().start()
