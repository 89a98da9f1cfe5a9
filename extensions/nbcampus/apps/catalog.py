"""``nbcampus catalog|sync``: read the catalog and publish course folders, through the API."""

from __future__ import annotations

from nbcampus.apps.client import APIClientApp


class CatalogApp(APIClientApp):
    """List the published courses with their seats."""

    name = "nbcampus-catalog"
    description = "List the courses: nbcampus catalog"

    def start(self) -> None:
        for course in self.call("GET", "courses")["courses"]:
            seats = course["seats"]
            cap = "unlimited" if seats["cap"] is None else f"{seats['taken']}/{seats['cap']}"
            print(f"{course['id']:<24} {course['format']:<5} seats {cap:<10} {course['title']}")


class SyncApp(APIClientApp):
    """Publish the course folders again (admins): invalid ones keep their previous version."""

    name = "nbcampus-sync"
    description = "Publish course folders and release changed material: nbcampus sync"

    def start(self) -> None:
        result = self.call("POST", "admin/sync")
        print(
            f"published: {', '.join(result['published']) or '-'}; unchanged: {', '.join(result['unchanged']) or '-'}"
        )
        for course, items in result["released"].items():
            if items:
                print(f"released in {course}: {', '.join(items)}")
        for problems in result["rejected"].values():
            for problem in problems:
                print(problem)
        if result["rejected"]:
            self.exit(1)
