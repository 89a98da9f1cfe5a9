"""What a reviewer sees of a submission: the notebook as the grader executed it (outputs
included), hidden tests never, nothing that names its author.

Hidden tests: nbgrader's autograde puts them back into test cells, so every test cell (an
nbgrader ``grade`` cell that is not a ``solution``) loses its ``BEGIN/END HIDDEN TESTS`` regions
and its outputs (a traceback may quote a hidden line), and any other output line quoting a
hidden line is redacted. Anonymity: the notebook's and the cells' metadata are dropped (only
the kernel's language is kept), attachments and cell ids go, and the author's username is
replaced in every source and output (``/home/<name>`` paths, a printed name).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from nbcampus.school.exchange.api import Submission, graded_notebooks_dir

HIDDEN_REGION = re.compile(
    r"^[ \t]*#+\s*BEGIN\s+HIDDEN\s+TESTS.*?^[ \t]*#+\s*END\s+HIDDEN\s+TESTS[^\n]*\n?",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
HIDDEN_MARK = re.compile(r"#+\s*(BEGIN|END)\s+HIDDEN\s+TESTS", re.IGNORECASE)
AUTHOR = "[author]"


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _notebooks(exchange_dir: Path, submission: Submission) -> tuple[list[tuple[str, dict]], bool]:
    """(name, notebook) of the grader's executed notebooks; the submitted ones when the
    submission has not been graded yet (then False)."""
    graded = graded_notebooks_dir(Path(exchange_dir), submission.id)
    if graded.is_dir():
        files = sorted(p for p in graded.iterdir() if p.suffix == ".ipynb")
        if files:
            return [(p.stem, json.loads(p.read_text("utf-8"))) for p in files], True
    folder = Path(exchange_dir) / submission.storage
    names = sorted(n for n in submission.files if n.endswith(".ipynb") and "/" not in n)
    return [
        (n[: -len(".ipynb")], json.loads((folder / n).read_text("utf-8"))) for n in names
    ], False


def _is_test(cell: dict[str, Any]) -> bool:
    marks = (cell.get("metadata") or {}).get("nbgrader") or {}
    return bool(marks.get("grade")) and not marks.get("solution")


def _redactor(username: str, hidden_lines: set[str]):
    name = (
        re.compile(rf"(?<![A-Za-z0-9]){re.escape(username)}(?![A-Za-z0-9])", re.IGNORECASE)
        if username
        else None
    )

    def clean(text: str) -> str:
        lines = []
        for line in text.split("\n"):
            if HIDDEN_MARK.search(line) or any(h in line for h in hidden_lines):
                line = "[hidden test redacted]"
            lines.append(name.sub(AUTHOR, line) if name else line)
        return "\n".join(lines)

    return clean


def _output(output: dict[str, Any], clean) -> dict[str, Any] | None:
    kind = output.get("output_type")
    if kind == "stream":
        return {
            "output_type": kind,
            "name": output.get("name", "stdout"),
            "text": clean(_text(output.get("text"))),
        }
    if kind in ("execute_result", "display_data"):
        data = {}
        for mime, value in (output.get("data") or {}).items():
            if mime == "image/png":
                data[mime] = _text(value)
            elif mime in ("text/plain", "text/markdown", "text/latex"):
                data[mime] = clean(_text(value))
        out = {"output_type": kind, "data": data, "metadata": {}}
        if kind == "execute_result":
            out["execution_count"] = output.get("execution_count")
        return out
    if kind == "error":
        return {
            "output_type": kind,
            "ename": clean(_text(output.get("ename"))),
            "evalue": clean(_text(output.get("evalue"))),
            "traceback": [clean(_text(t)) for t in output.get("traceback", [])],
        }
    return None


def anonymous_notebook(exchange_dir: Path, submission: Submission) -> dict[str, Any]:
    """The reviewer's notebook of ``submission`` (nbformat 4 JSON): every notebook of it in
    name order, headed by its name when there are several."""
    notebooks, executed = _notebooks(exchange_dir, submission)
    hidden_lines = set()
    for _, nb in notebooks:
        for cell in nb.get("cells", []):
            for region in HIDDEN_REGION.findall(_text(cell.get("source"))):
                hidden_lines |= {ln.strip() for ln in region.splitlines() if len(ln.strip()) >= 6}
    clean = _redactor(submission.username, hidden_lines)
    cells: list[dict[str, Any]] = []
    language = "python"
    for name, nb in notebooks:
        info = (nb.get("metadata") or {}).get("language_info") or {}
        language = info.get("name", language)
        if len(notebooks) > 1:
            cells.append({"cell_type": "markdown", "metadata": {}, "source": f"## {name}"})
        for cell in nb.get("cells", []):
            kind = cell.get("cell_type")
            source = _text(cell.get("source"))
            if kind == "code":
                test = _is_test(cell)
                source = HIDDEN_REGION.sub("", source) if test else source
                outputs = (
                    []
                    if test
                    else [o for o in (_output(o, clean) for o in cell.get("outputs", [])) if o]
                )
                cells.append(
                    {
                        "cell_type": "code",
                        "metadata": {},
                        "source": clean(source),
                        "outputs": outputs,
                        "execution_count": cell.get("execution_count"),
                    }
                )
            elif kind in ("markdown", "raw"):
                cells.append({"cell_type": kind, "metadata": {}, "source": clean(source)})
    return {
        "nbformat": 4,
        "nbformat_minor": 4,
        "metadata": {"language_info": {"name": language}, "nbcampus": {"executed": executed}},
        "cells": cells,
    }


def notebook_html(notebook: dict[str, Any], render_markdown) -> str:
    """The review notebook as inert HTML: markdown cells through the discussion's safe
    renderer, code and text outputs escaped, PNG images as data URIs (base64 checked)."""
    parts = ['<div class="nbcampus-review-notebook">']
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append(f'<div class="cell markdown">{render_markdown(cell["source"])}</div>')
            continue
        parts.append(
            f'<div class="cell {cell["cell_type"]}"><pre class="source">'
            f"{html.escape(cell['source'])}</pre>"
        )
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                parts.append(f'<pre class="output">{html.escape(output["text"])}</pre>')
            elif output["output_type"] == "error":
                text = "\n".join(output["traceback"]) or f"{output['ename']}: {output['evalue']}"
                parts.append(f'<pre class="output error">{html.escape(_ANSI.sub("", text))}</pre>')
            else:
                data = output.get("data", {})
                png = data.get("image/png", "").replace("\n", "")
                if png and re.fullmatch(r"[A-Za-z0-9+/=]+", png):
                    parts.append(
                        f'<img class="output" alt="output" src="data:image/png;base64,{png}">'
                    )
                elif "text/plain" in data:
                    parts.append(f'<pre class="output">{html.escape(data["text/plain"])}</pre>')
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
