"""The snapshot of one notebook cell a question is about: read-only, bounded, never a test.

A learner asks about a cell of a notebook; the thread keeps what they saw (source and outputs)
so a mentor sees exactly that. Only the fields below are kept; a cell carrying hidden tests is
refused (released notebooks have none: one that does was forged or comes from a source folder),
and so is an nbgrader test cell marked as holding hidden parts.
"""

from __future__ import annotations

import json
import re
from typing import Any

from nbcampus.school.core.api import CampusError

MAX_SOURCE_CHARS = 20_000
MAX_SNAPSHOT_BYTES = 100_000
MAX_OUTPUTS = 20
#: output data kept from execute_result / display_data (text, and a picture as base64)
KEPT_MEDIA = ("text/plain", "image/png")
HIDDEN_TESTS = re.compile(r"#+\s*(BEGIN|END)\s+HIDDEN\s+TESTS", re.IGNORECASE)


def _text(value: Any, where: str) -> str:
    """nbformat allows a string or a list of strings."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    if isinstance(value, str):
        return value
    raise CampusError(f"cell.{where} must be a string or a list of strings")


def _output(output: dict[str, Any], index: int) -> dict[str, Any]:
    where = f"outputs[{index}]"
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name")
        if name not in ("stdout", "stderr"):
            raise CampusError(f"cell.{where}.name must be stdout or stderr")
        return {"output_type": kind, "name": name, "text": _text(output.get("text", ""), where)}
    if kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        if not isinstance(data, dict):
            raise CampusError(f"cell.{where}.data must be an object")
        kept = {m: _text(data[m], f"{where}.data") for m in KEPT_MEDIA if m in data}
        return {"output_type": kind, "data": kept}
    if kind == "error":
        traceback = output.get("traceback", [])
        if not isinstance(traceback, list) or not all(isinstance(t, str) for t in traceback):
            raise CampusError(f"cell.{where}.traceback must be a list of strings")
        return {
            "output_type": kind,
            "ename": _text(output.get("ename", ""), f"{where}.ename"),
            "evalue": _text(output.get("evalue", ""), f"{where}.evalue"),
            "traceback": traceback,
        }
    raise CampusError(f"cell.{where}.output_type {kind!r} is not stream, result, display or error")


def _holds_hidden_tests(cell: dict[str, Any], source: str) -> bool:
    nbgrader = (cell.get("metadata") or {}).get("nbgrader") or {}
    if not isinstance(nbgrader, dict):
        return False
    marked = bool(nbgrader.get("grade")) and not nbgrader.get("solution")
    return bool(HIDDEN_TESTS.search(source)) or (marked and bool(nbgrader.get("hidden")))


def snapshot(cell: dict[str, Any]) -> dict[str, Any]:
    """The kept copy of ``cell`` (nbformat 4 shape plus where it came from: ``notebook``,
    ``cell_id``), or CampusError (400) saying what is wrong."""
    kind = cell.get("cell_type")
    if kind not in ("code", "markdown", "raw"):
        raise CampusError("cell.cell_type must be code, markdown or raw")
    source = _text(cell.get("source", ""), "source")
    if len(source) > MAX_SOURCE_CHARS:
        raise CampusError(f"cell.source is over {MAX_SOURCE_CHARS} characters")
    if _holds_hidden_tests(cell, source):
        raise CampusError("cell holds hidden tests: ask about your own cells or visible tests")
    outputs = cell.get("outputs", [])
    if not isinstance(outputs, list) or not all(isinstance(o, dict) for o in outputs):
        raise CampusError("cell.outputs must be a list of output objects")
    if len(outputs) > MAX_OUTPUTS:
        raise CampusError(f"cell.outputs: at most {MAX_OUTPUTS} outputs")
    kept: dict[str, Any] = {
        "cell_type": kind,
        "source": source,
        "outputs": [_output(o, i) for i, o in enumerate(outputs)] if kind == "code" else [],
        "execution_count": cell.get("execution_count")
        if isinstance(cell.get("execution_count"), int)
        else None,
        "notebook": str(cell.get("notebook", "")),
        "cell_id": str(cell.get("cell_id", "")),
    }
    if len(json.dumps(kept).encode()) > MAX_SNAPSHOT_BYTES:
        raise CampusError(f"cell snapshot is over {MAX_SNAPSHOT_BYTES} bytes", status=413)
    return kept
