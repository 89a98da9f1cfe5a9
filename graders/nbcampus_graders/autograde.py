"""Grade one submission: nbgrader's autograde steps, run on a sandboxed kernel.

:func:`grade` is a plain function from a :class:`GradingTask` (the submission's files and the
assignment's grading key, all as bytes) to a :class:`GradingResult`, so it runs the same in a local
worker process or on a Dask worker on another machine: it needs no database and no shared disk.

Steps per notebook, as ``nbgrader autograde`` does them: ClearOutput, DeduplicateIds,
OverwriteKernelspec, OverwriteCells (the key's copy of test cells replaces the learner's; deleted
test cells are put back), CheckCellMetadata, Execute (here :class:`CampusExecute`), LimitOutput,
then ``nbgrader.utils.determine_grade`` per grade cell. On top of that a test cell scores only if
it ran to its end with an ``ok`` reply.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import functools
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbgrader import api as nbgrader_api
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
)
from traitlets.config import Config

from .execute import NOT_RUN, CampusExecute
from .feedback import feedback_html
from .kernel import Zygote
from .sandbox import Sandbox
from .view import learner_view

# nbgrader runs the `alembic` command (a new interpreter, ~0.4 s) on every Gradebook it opens, to
# learn its own schema version; it cannot change while a grader runs, so ask once per process.
nbgrader_api.get_alembic_version = functools.cache(nbgrader_api.get_alembic_version)
os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"

GRADED = "graded"
REVIEW = "review"


@dataclass
class GradingTask:
    submission_id: str
    course_id: str
    assignment_id: str
    username: str
    #: the submitted files, by relative path
    files: dict[str, bytes]
    #: the assignment's nbgrader gradebook made at release (source cells with hidden tests)
    key: bytes
    #: traitlets configuration of Sandbox and CampusExecute (plain dict, picklable)
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class GradingResult:
    submission_id: str
    state: str
    auto_score: float
    max_score: float
    cells: list[dict[str, Any]]
    review_reasons: list[str]
    #: learner feedback, one HTML file per notebook (hidden tests stripped)
    feedback: dict[str, bytes]
    #: the executed notebooks for staff (manual grading), base64 in JSON-friendly form
    graded: dict[str, str]
    seconds: float
    sandboxed: bool


_probes: dict[tuple, Any] = {}


def _probe(sandbox: Sandbox):
    """Probe once per process and sandbox settings (a probe starts a sandbox: ~30 ms)."""
    key = (sandbox.bwrap, sandbox.first_uid, sandbox.allow_unsandboxed, os.getpid())
    if key not in _probes:
        _probes[key] = sandbox.probe()
    return _probes[key]


_zygotes = threading.local()


def _zygote(sandbox: Sandbox) -> Zygote:
    """This thread's kernel zygote (started on first use, restarted if it died)."""
    zygote = getattr(_zygotes, "zygote", None)
    if zygote is None or not zygote.alive() or getattr(_zygotes, "pid", None) != os.getpid():
        jobs_root = Path(tempfile.mkdtemp(prefix="nbcampus-jobs-"))
        os.chmod(jobs_root, 0o711)
        zygote = Zygote(sandbox, jobs_root)
        _zygotes.zygote, _zygotes.pid = zygote, os.getpid()
        atexit.register(zygote.close)
        atexit.register(shutil.rmtree, jobs_root, True)
    return zygote


def _sanitize(nb: NotebookNode, resources: dict[str, Any]) -> NotebookNode:
    for pp in (ClearOutput(), DeduplicateIds()):
        nb, resources = pp.preprocess(nb, resources)
    # DeduplicateIds leaves a copied cell with empty nbgrader metadata, which nbgrader's own
    # "put missing cells back" step cannot read: such a cell is an ordinary cell now
    for cell in nb.cells:
        if "nbgrader" in cell.metadata and "grade_id" not in cell.metadata["nbgrader"]:
            del cell.metadata["nbgrader"]
    for pp in (
        OverwriteKernelspec(),
        OverwriteCells(add_missing_cells=True),
        CheckCellMetadata(),
    ):
        nb, resources = pp.preprocess(nb, resources)
    # cells nbgrader put back hold plain dicts: make the whole notebook attribute-accessible
    return nbformat.from_dict(nb)


def _score_cells(nb: NotebookNode, notebook_id: str) -> list[dict[str, Any]]:
    cells = []
    for cell in nb.cells:
        if utils.is_task(cell):
            auto, max_points = None, float(cell.metadata.nbgrader["points"])
        elif utils.is_grade(cell):
            auto, max_points = utils.determine_grade(cell)
        else:
            continue
        meta = cell.metadata.get("nbcampus", {})
        entry = {
            "notebook": notebook_id,
            "grade_id": cell.metadata.nbgrader["grade_id"],
            "max_points": max_points,
            "points": auto,
            "kind": "auto" if auto is not None else "manual",
            "status": meta.get("status", "ok" if cell.cell_type == "code" else "manual"),
        }
        if cell.cell_type == "code" and not utils.is_solution(cell):
            ok = meta.get("status") == "ok" and meta.get("completed", True)
            if not ok:
                entry["points"] = 0.0
            if meta.get("status") == NOT_RUN:
                entry["status"] = "not run (the kernel had stopped)"
            elif meta.get("status") == "ok" and not meta.get("completed", True):
                entry["status"] = "did not run to its end"
        cells.append(entry)
    return cells


def grade(task: GradingTask) -> GradingResult:
    """Grade ``task`` in a private temporary folder; the folder is gone when this returns."""
    started = time.monotonic()
    config = Config(task.config)
    sandbox = Sandbox(config=config)
    probe = _probe(sandbox)
    if not probe.available and not sandbox.allow_unsandboxed:
        raise RuntimeError(f"cannot sandbox the submission: {probe.reason}")
    root = Path(tempfile.mkdtemp(prefix="nbcampus-grade-"))
    zygote = job = None
    try:
        os.chmod(root, 0o711)
        key_path = root / "key" / "gradebook.db"
        key_path.parent.mkdir(mode=0o700)
        key_path.write_bytes(task.key)
        zygote = _zygote(sandbox) if probe.available and sandbox.use_zygote else None
        job = (zygote.jobs_root if zygote else root) / f"job-{uuid.uuid4().hex}"
        job.mkdir()
        for name, data in task.files.items():
            target = job / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if probe.available:
            sandbox.prepare(job)
        db_url = f"sqlite:///{key_path}"
        all_cells: list[dict[str, Any]] = []
        reasons: list[str] = []
        feedback: dict[str, bytes] = {}
        graded: dict[str, str] = {}
        with Gradebook(db_url) as gradebook:
            try:
                notebooks = [
                    n.name for n in gradebook.find_assignment(task.assignment_id).notebooks
                ]
            except MissingEntry as e:
                raise RuntimeError(f"the grading key has no assignment {task.assignment_id}") from e
            sources = {
                name: {
                    c.name: c.source
                    for c in gradebook.find_notebook(name, task.assignment_id).source_cells
                }
                for name in notebooks
            }
            max_points = {
                name: {
                    c.name: c.max_score
                    for c in gradebook.find_notebook(name, task.assignment_id).grade_cells
                }
                for name in notebooks
            }
        for name in sorted(notebooks):
            data = task.files.get(f"{name}.ipynb")
            if data is None:
                for grade_id, points in max_points[name].items():
                    all_cells.append(
                        {
                            "notebook": name,
                            "grade_id": grade_id,
                            "max_points": points,
                            "points": 0.0,
                            "kind": "auto",
                            "status": "notebook missing from the submission",
                        }
                    )
                continue
            resources = {
                "nbgrader": {
                    "db_url": db_url,
                    "assignment": task.assignment_id,
                    "notebook": name,
                    "student": task.username,
                },
                "metadata": {"path": str(job)},
            }
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
            nb = _sanitize(nb, resources)
            executor = CampusExecute(
                config=config,
                sandbox=sandbox if probe.available else None,
                job_dir=str(job),
                zygote=zygote,
            )
            executor.nb = nb
            executor.resources = resources
            nb = asyncio.run(executor.run_notebook())
            nb, _ = LimitOutput(config=config).preprocess(nb, resources)
            if executor.repaired:
                reasons.append(
                    f"{name}: the submission changed the grader's environment "
                    f"({'; '.join(executor.repaired)[:500]})"
                )
            if any(
                c.metadata.get("nbcampus", {}).get("status") == "guard-failed" for c in nb.cells
            ):
                reasons.append(f"{name}: the grader's guard did not run before a test cell")
            cells = _score_cells(nb, name)
            all_cells.extend(cells)
            graded[f"{name}.ipynb"] = base64.b64encode(nbformat.writes(nb).encode("utf-8")).decode()
            feedback[f"{name}.html"] = feedback_html(
                learner_view(nb, sources[name]), name, cells
            ).encode("utf-8")
        auto = sum(c["points"] or 0.0 for c in all_cells)
        total = sum(c["max_points"] for c in all_cells)
        return GradingResult(
            submission_id=task.submission_id,
            state=REVIEW if reasons else GRADED,
            auto_score=auto,
            max_score=total,
            cells=all_cells,
            review_reasons=reasons,
            feedback=feedback,
            graded=graded,
            seconds=time.monotonic() - started,
            sandboxed=probe.available,
        )
    finally:
        if zygote is not None:
            try:
                zygote.request(op="reset")  # nothing this submission started survives
            except RuntimeError:
                zygote.close()
        if job is not None:
            shutil.rmtree(job, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)
