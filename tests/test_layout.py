"""The school's layout holds: packages talk through their api modules, modules stay small.

The layers themselves are import-linter contracts (pyproject.toml, run by `make test`); these
tests check what a layers contract cannot say.
"""

from __future__ import annotations

import ast

import grimp
import pytest

from nbcampus.testing import ROOT

PACKAGE = ROOT / "extensions" / "nbcampus"
SCHOOL = "nbcampus.school"
CONCEPTS = [
    "core",
    "catalog",
    "enrolment",
    "deadlines",
    "exchange",
    "grading",
    "quizzes",
    "progress",
    "peer_review",
    "certificates",
    "publishing",
    "rewards",
    "profiles",
]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("nbcampus", "nbcampus_graders", cache_dir=None)


def concept_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["nbcampus", "school"] and len(parts) > 2:
        return parts[2]
    return None


def test_other_packages_import_a_concept_through_its_api_only(graph):
    leaks = []
    for concept in CONCEPTS:
        package = f"{SCHOOL}.{concept}"
        api = f"{package}.api"
        for module in graph.find_children(package) | graph.find_descendants(package):
            if module == api:
                continue
            for importer in graph.find_modules_that_directly_import(module):
                if concept_of(importer) != concept:
                    leaks.append(f"{importer} imports {module} (use {api})")
    assert leaks == []


def test_every_api_exports_exactly_what_it_imports():
    for concept in CONCEPTS:
        path = PACKAGE / "school" / concept / "api.py"
        tree = ast.parse(path.read_text())
        imported = {
            alias.asname or alias.name
            for node in tree.body
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        exported = next(
            ast.literal_eval(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign) and node.targets[0].id == "__all__"
        )
        assert sorted(exported) == sorted(imported), concept


def python_modules():
    for base in (PACKAGE, ROOT / "graders" / "nbcampus_graders"):
        for path in base.rglob("*.py"):
            if "versions" not in path.parts:
                yield path


def test_no_module_over_400_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in python_modules()
        if (n := len(p.read_text().splitlines())) >= 400
    }
    assert long == {}


def test_the_grading_engine_imports_nothing_of_the_school(graph):
    for module in graph.find_descendants("nbcampus_graders") | {"nbcampus_graders"}:
        for imported in graph.find_modules_directly_imported_by(module):
            assert not imported.startswith(("nbcampus.school", "nbcampus.service")), module
