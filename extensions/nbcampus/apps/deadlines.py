"""``nbcampus extend``: give a learner or a cohort a new due date, through the API."""

from __future__ import annotations

from traitlets import Unicode

from nbcampus.apps.client import APIClientApp


class ExtendApp(APIClientApp):
    """Extend a deadline for one learner (--user) or a whole cohort (--cohort)."""

    name = "nbcampus-extend"
    description = "nbcampus extend COURSE ITEM DUE_AT --user=NAME|--cohort=RUN --reason=... (DUE_AT: ISO 8601 with zone)"
    aliases = {**APIClientApp.aliases, "user": "ExtendApp.user", "cohort": "ExtendApp.cohort"}

    user = Unicode("", help="The learner.").tag(config=True)
    cohort = Unicode("", help="The cohort (course run).").tag(config=True)

    def start(self) -> None:
        course, item, due_at = self.need_args(3, self.description)
        body = {"due_at": due_at, "reason": self.reason}
        if self.user:
            body["username"] = self.user
        if self.cohort:
            body["cohort"] = self.cohort
        result = self.call("POST", f"courses/{course}/deadlines/{item}", json=body)
        who = result["username"] or f"cohort {result['cohort']}"
        print(
            f"{course}/{item} now due {result['due_at']} for {who} (granted by {result['granted_by']})"
        )
