"""The ``nbcampus`` command."""

from __future__ import annotations

from traitlets.config import Application

from nbcampus import __version__
from nbcampus.apps.autograde import AutogradeApp
from nbcampus.apps.catalog import CatalogApp, SyncApp
from nbcampus.apps.certificates import CertificatesApp
from nbcampus.apps.course import CourseApp
from nbcampus.apps.deadlines import ExtendApp
from nbcampus.apps.demo import DemoApp
from nbcampus.apps.enrolment import (
    EnrolApp,
    MoveApp,
    RosterApp,
    UnenrolApp,
    VerifyApp,
    VouchersApp,
)
from nbcampus.apps.grading import DoctorApp, GradeApp, GraderApp, GradesApp, ScoreApp
from nbcampus.apps.lti import LtiApp
from nbcampus.apps.mailsink import MailSinkApp


class NBCampusApp(Application):
    """nbcampus: an online school on one JupyterHub."""

    name = "nbcampus"
    version = __version__
    description = "Run and manage an nbcampus school."
    subcommands = {
        "course": (CourseApp, CourseApp.description),
        "demo": (DemoApp, DemoApp.description),
        "catalog": (CatalogApp, CatalogApp.description),
        "sync": (SyncApp, SyncApp.description),
        "enrol": (EnrolApp, EnrolApp.description),
        "unenrol": (UnenrolApp, UnenrolApp.description),
        "move": (MoveApp, MoveApp.description),
        "verify": (VerifyApp, VerifyApp.description),
        "vouchers": (VouchersApp, VouchersApp.description),
        "roster": (RosterApp, RosterApp.description),
        "extend": (ExtendApp, ExtendApp.description),
        "grade": (GradeApp, GradeApp.description),
        "grader": (GraderApp, GraderApp.description),
        "autograde": (AutogradeApp, AutogradeApp.description),
        "grades": (GradesApp, GradesApp.description),
        "score": (ScoreApp, ScoreApp.description),
        "doctor": (DoctorApp, DoctorApp.description),
        "certificates": (CertificatesApp, CertificatesApp.description),
        "mailsink": (MailSinkApp, MailSinkApp.description),
        "lti": (LtiApp, LtiApp.description),
    }

    def start(self) -> None:
        if self.subapp is None:
            self.print_subcommands()
            self.exit(2)
        super().start()


main = NBCampusApp.launch_instance
