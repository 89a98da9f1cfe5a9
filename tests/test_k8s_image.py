"""The images of hub_config/k8s/Dockerfile, read as a builder reads the file (no container
builder runs on the development machines: docs/kubernetes.md says why). Every variable an
instruction uses is defined where it is used, each image runs as a non-root user, and the
Courses panel is built inside the build, from the sources alone, so an image made from a clean
checkout has it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass, field
from fnmatch import fnmatch

import pytest
from test_k8s_values import K8S, ROOT

PANEL = "extensions/nbcampus/labextensions"
#: what the Courses panel's build reads (the Makefile's `labextension` target)
PANEL_SOURCES = ("extensions/labextension", "Makefile", "pyproject.toml", "extensions/nbcampus")


@dataclass
class Stage:
    name: str
    base: str
    args: dict[str, str | None] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def user(self) -> str | None:
        users = [value for op, value in self.instructions if op == "USER"]
        return users[-1] if users else None


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    # comment lines go first (a backslash ending one continues nothing), then lines are joined
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            op, _, rest = line.strip().partition(" ")
            found.append((op.upper(), rest.strip()))
    return found


def stages(text: str) -> tuple[dict[str, str | None], list[Stage]]:
    """The global ARGs (before the first FROM) and the stages, each with its ARGs and ENVs."""
    global_args: dict[str, str | None] = {}
    found: list[Stage] = []
    for op, rest in instructions(text):
        if op == "FROM":
            words = rest.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else str(len(found))
            found.append(Stage(name, words[0]))
            continue
        if op == "ARG":
            name, _, default = rest.partition("=")
            target = found[-1].args if found else global_args
            # an ARG without a default inside a stage takes the global one's value
            target[name] = default or global_args.get(name) if found else default or None
        elif op == "ENV":
            for item in shlex.split(rest):
                name, _, value = item.partition("=")
                found[-1].env[name] = value
        if found:
            found[-1].instructions.append((op, rest))
    return global_args, found


def variables(text: str) -> set[str]:
    return set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))


def dockerfile() -> tuple[dict[str, str | None], list[Stage]]:
    return stages((K8S / "Dockerfile").read_text())


def test_every_variable_is_defined_where_it_is_used():
    global_args, found = dockerfile()
    for stage in found:
        # a FROM line sees the global ARGs only
        assert variables(stage.base) <= {k for k, v in global_args.items() if v}, stage.base
        for op, rest in stage.instructions:
            if op == "RUN":  # a shell expands these when it runs, from its own environment
                continue
            defined = {k for k, v in stage.args.items() if v} | set(stage.env)
            assert variables(rest) <= defined, (stage.name, op, rest)


def test_the_check_sees_an_undefined_variable():
    _, found = stages("ARG BASE=debian\nFROM $BASE AS x\nUSER ${NB_USER}\n")
    [stage] = found
    assert variables(stage.instructions[-1][1]) == {"NB_USER"}
    assert "NB_USER" not in stage.args and "NB_USER" not in stage.env


def test_each_image_runs_as_a_user_that_is_not_root():
    _, found = dockerfile()
    images = {stage.name: stage for stage in found if stage.name in ("app", "hub")}
    assert set(images) == {"app", "hub"}
    for name, stage in images.items():
        user = stage.user()
        assert user, name
        assert "$" not in user, (name, user)  # nothing left for the build to expand (or not)
        assert user.split(":")[0] not in ("0", "root", ""), (name, user)


def test_the_courses_panel_is_built_in_the_image_from_the_sources():
    _, found = dockerfile()
    by_name = {stage.name: stage for stage in found}
    panel = by_name["panel"]
    runs = " ".join(rest for op, rest in panel.instructions if op == "RUN")
    assert "make labextension" in runs
    # JupyterLab's builder needs Node.js ^20.19 or >=22.12 (Debian bookworm's nodejs is 18)
    node = re.fullmatch(r"node:(\d+)-[\w.-]+", panel.base)
    assert node and int(node[1]) >= 22, panel.base
    assert "python3-venv" in runs and "make" in runs
    copied = [rest for op, rest in panel.instructions if op == "COPY"]
    for source in PANEL_SOURCES:
        assert any(source in c.split() for c in copied), source
    # both images take the built panel from that stage, before installing the package
    for name in ("app", "hub"):
        ops = by_name[name].instructions
        [copy] = [i for i, (op, rest) in enumerate(ops) if op == "COPY" and "--from=panel" in rest]
        assert PANEL in ops[copy][1]
        install = next(i for i, (op, rest) in enumerate(ops) if "pip install" in rest)
        assert copy < install, name
    # and a panel built on the developer's machine never reaches the build context
    ignored = [
        line
        for line in (K8S / "Dockerfile.dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    generated = [
        "extensions/labextension/src/schema.d.ts",
        "extensions/labextension/lib",
        "extensions/labextension/tsconfig.tsbuildinfo",  # tsc would skip emitting lib/
    ]
    for path in (PANEL, "extensions/labextension/node_modules", *generated):
        assert any(fnmatch(path, pattern) for pattern in ignored), path


def test_the_panel_sources_the_stage_copies_exist():
    for source in PANEL_SOURCES:
        assert (ROOT / source).exists(), source
    assert re.search(r"^labextension:", (ROOT / "Makefile").read_text(), re.M)


def test_the_build_context_leaves_out_everything_git_ignores():
    """Whatever is ignored and present in this checkout (venvs, built panel, generated types,
    caches) stays out of the build, so the images are what a clean checkout makes."""
    listed = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "ls-files",
            "--others",
            "--ignored",
            "--exclude-standard",
            "--directory",
        ],
        capture_output=True,
        text=True,
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    patterns = [
        line
        for line in (K8S / "Dockerfile.dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        parts = path.rstrip("/").split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        # as Docker reads them: "**/" also matches no folder at all
        forms = patterns + [p.removeprefix("**/") for p in patterns if p.startswith("**/")]
        return any(fnmatch(p, pattern) for p in prefixes for pattern in forms)

    left_in = [path for path in listed.stdout.splitlines() if not ignored(path)]
    assert left_in == []
