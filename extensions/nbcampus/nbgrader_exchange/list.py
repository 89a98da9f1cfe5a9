"""``nbgrader list`` and the Assignments panel: what is released, fetched and submitted."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from nbgrader.exchange.abc import ExchangeList
from traitlets import Bool

from nbcampus.nbgrader_exchange.client import CampusExchange


class CampusList(ExchangeList, CampusExchange):
    """The same listing shapes as nbgrader's default exchange, read from the service."""

    as_json = Bool(
        False, help="Print the listing as JSON on standard output (nbgrader list --json)."
    ).tag(config=True)

    def init_src(self) -> None:
        pass

    def init_dest(self) -> None:
        params = {"course": self.coursedir.course_id} if self.coursedir.course_id else {}
        assignments = self.call("GET", "exchange/assignments", params=params).json()["assignments"]
        wanted = self.coursedir.assignment_id
        self.assignments = [a for a in assignments if not wanted or a["assignment_id"] == wanted]

    def copy_files(self) -> None:
        pass

    def remove_files(self) -> list[dict[str, Any]]:
        self.fail(
            "removing is not supported: releases are replaced by a new release, submissions are immutable"
        )

    def list_files(self) -> list[dict[str, Any]]:
        if self.inbound:
            result = self._inbound()
        elif self.cached:
            result = self._submitted()
        else:
            result = self._released()
        if self.as_json:
            print(json.dumps(result))
        for info in result:
            if self.inbound or self.cached:
                for sub in info["submissions"]:
                    self.log.info(
                        "%s %s %s %s",
                        sub["course_id"],
                        sub["student_id"],
                        sub["assignment_id"],
                        sub["timestamp"],
                    )
            else:
                self.log.info(
                    "%s %s (%s)", info["course_id"], info["assignment_id"], info["status"]
                )
        return result

    def _released(self) -> list[dict[str, Any]]:
        out = []
        for a in self.assignments:
            local = self.local_assignment_dir(a["course_id"], a["assignment_id"])
            info: dict[str, Any] = {
                "course_id": a["course_id"],
                "assignment_id": a["assignment_id"],
            }
            if local.exists():
                info["status"] = "fetched"
                info["path"] = os.path.abspath(local)
                notebooks = sorted(local.glob("*.ipynb"))
                info["notebooks"] = [
                    {"notebook_id": p.stem, "path": os.path.abspath(p)} for p in notebooks
                ]
            else:
                info["status"] = "released"
                info["path"] = f"{a['course_id']}/{a['assignment_id']}"
                info["notebooks"] = [
                    {"notebook_id": Path(name).stem, "path": f"{info['path']}/{name}"}
                    for name in a["files"]
                    if name.endswith(".ipynb")
                ]
            out.append(info)
        return out

    def _submission_info(
        self, a: dict[str, Any], sub: dict[str, Any], feedback_at: dict[str, str]
    ) -> dict[str, Any]:
        stamp = self.nbgrader_timestamp(sub["received_at"])
        local = self.local_assignment_dir(a["course_id"], a["assignment_id"])
        feedback_dir = local / "feedback" / stamp
        notebooks = []
        for name in sub["files"]:
            if not name.endswith(".ipynb"):
                continue
            notebook_id = Path(name).stem
            local_feedback = feedback_dir / f"{notebook_id}.html"
            has_local = local_feedback.is_file()
            released = feedback_at.get(sub["id"])
            updated = bool(
                has_local
                and released
                and datetime.fromisoformat(released).timestamp() > local_feedback.stat().st_mtime
            )
            notebooks.append(
                {
                    "notebook_id": notebook_id,
                    "path": os.path.abspath(local / name),
                    "has_local_feedback": has_local,
                    "has_exchange_feedback": sub["id"] in feedback_at,
                    "local_feedback_path": str(local_feedback) if has_local else None,
                    "feedback_updated": updated,
                }
            )
        has_local = bool(notebooks) and all(n["has_local_feedback"] for n in notebooks)
        return {
            "course_id": a["course_id"],
            "student_id": sub["username"],
            "assignment_id": a["assignment_id"],
            "timestamp": stamp,
            "status": "submitted",
            "path": os.path.abspath(local),
            "notebooks": notebooks,
            "has_local_feedback": has_local,
            "has_exchange_feedback": bool(notebooks)
            and all(n["has_exchange_feedback"] for n in notebooks),
            "feedback_updated": any(n["feedback_updated"] for n in notebooks),
            "local_feedback_path": str(feedback_dir) if has_local else None,
        }

    @staticmethod
    def _group(infos: list[dict[str, Any]]) -> list[dict[str, Any]]:
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for info in infos:
            groups.setdefault(
                (info["course_id"], info["student_id"], info["assignment_id"]), []
            ).append(info)
        return [
            {
                "course_id": course,
                "student_id": student,
                "assignment_id": assignment,
                "status": "submitted",
                "submissions": sorted(subs, key=lambda s: s["timestamp"]),
            }
            for (course, student, assignment), subs in sorted(groups.items())
        ]

    def _submitted(self) -> list[dict[str, Any]]:
        infos = []
        for a in self.assignments:
            feedback_at = {f["submission_id"]: f["released_at"] for f in a["feedback"]}
            infos += [self._submission_info(a, sub, feedback_at) for sub in a["submissions"]]
        return self._group(infos)

    def _inbound(self) -> list[dict[str, Any]]:
        infos = []
        for a in self.assignments:
            subs = self.call(
                "GET",
                f"exchange/courses/{a['course_id']}/assignments/{a['assignment_id']}/submissions",
            ).json()["submissions"]
            student = self.coursedir.student_id
            infos += [
                self._submission_info(a, s, {}) for s in subs if student in ("", "*", s["username"])
            ]
        return self._group(infos)
