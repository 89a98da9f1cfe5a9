"""The service's HTML pages (phone-first, no script but the video player's own), by path."""

from __future__ import annotations

from tornado import web

from nbcampus.service.pages.certificate import CertificatePdfPage
from nbcampus.service.pages.course_home import CourseHomePage
from nbcampus.service.pages.dashboard import DashboardPage
from nbcampus.service.pages.discussion import DiscussionListPage, ThreadPage
from nbcampus.service.pages.lti import LTI_PAGES
from nbcampus.service.pages.nudges import NudgesPage
from nbcampus.service.pages.profile import ProfilePage
from nbcampus.service.pages.report import ReportPage
from nbcampus.service.pages.verify import VerifyPage
from nbcampus.service.pages.watch import WatchPage, WatchScript

#: the HTML pages below the service's base URL: (path template, handler)
PAGES: list[tuple[str, type[web.RequestHandler]]] = [
    ("/courses/{course}/", CourseHomePage),
    ("/courses/{course}/dashboard", DashboardPage),
    ("/courses/{course}/nudges", NudgesPage),
    ("/courses/{course}/report", ReportPage),
    ("/courses/{course}/discussion", DiscussionListPage),
    ("/courses/{course}/discussion/{thread}", ThreadPage),
    ("/courses/{course}/watch", WatchPage),
    ("/verify/{certificate}", VerifyPage),
    ("/certificates/{certificate}/pdf", CertificatePdfPage),
    ("/profile", ProfilePage),
    ("/watch.js", WatchScript),
    *LTI_PAGES,
]
