"""Pages for browsers: the service's home page, behind the hub's OAuth login."""

from __future__ import annotations

from jupyterhub.services.auth import HubOAuthenticated
from tornado import web
from tornado.escape import url_escape, xhtml_escape

from nbcampus.school.catalog.api import active_courses
from nbcampus.school.enrolment.api import statuses_of

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nbcampus</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}}
li{{margin:.3rem 0}} .format{{font-size:.8rem;text-transform:uppercase;color:#555;margin-left:.5rem}}</style>
</head><body>
<h1>nbcampus</h1>
<p>Signed in as <strong>{user}</strong> (<a class=profile href="{profile}">your profile</a>). Your courses open in your JupyterLab: <a href="{hub}">go to your workspace</a>.</p>
<h2>My courses</h2><ul>{mine}</ul>
<h2>Catalog</h2><ul>{catalog}</ul>
<p><a href="{api}openapi.json">API description</a></p>
</body></html>
"""


class HomePage(HubOAuthenticated, web.RequestHandler):
    """GET /services/nbcampus/: my courses and the catalog (HubOAuth login, then a cookie)."""

    @web.authenticated
    async def get(self) -> None:
        campus = self.settings["campus"]
        user = self.get_current_user()["name"]

        def read():
            with campus.db.session(readonly=True) as session:
                courses = active_courses(session)
                mine = statuses_of(session, user, include_unenrolled=False)
                return [(c.id, c.title, c.format) for c in courses], mine

        courses, mine = await self.settings["campus"].run(read)
        # everything shown is escaped: titles come from course files, names from sign-up forms
        item = "<li>{title}<span class=format>{fmt}</span>{status}{link}</li>"
        link = ' · <a href="{home}">course home</a> · <a href="{url}">discussion</a>'
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.finish(
            _PAGE.format(
                user=xhtml_escape(user),
                hub=xhtml_escape(f"/user/{user}/lab"),
                profile=xhtml_escape(campus.base_url + "profile"),
                api=xhtml_escape(campus.base_url + "api/"),
                mine="".join(
                    item.format(
                        title=xhtml_escape(t),
                        fmt=xhtml_escape(f),
                        status=f" ({xhtml_escape(mine[i])})",
                        link=link.format(
                            home=xhtml_escape(
                                f"{campus.base_url}courses/{url_escape(i, plus=False)}/"
                            ),
                            url=xhtml_escape(
                                f"{campus.base_url}courses/{url_escape(i, plus=False)}/discussion"
                            ),
                        ),
                    )
                    for i, t, f in courses
                    if i in mine
                )
                or "<li>none yet</li>",
                catalog="".join(
                    item.format(title=xhtml_escape(t), fmt=xhtml_escape(f), status="", link="")
                    for _, t, f in courses
                ),
            )
        )
