"""The course file's ``packages`` setting: off by default, named hosts only, errors with the line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nbcampus.course import check_course, load_course
from nbcampus.course.packages import package_hosts, package_index

FIXTURE = Path(__file__).parent / "files" / "courses" / "minimal"


@pytest.fixture
def course(tmp_path) -> Path:
    folder = tmp_path / "minimal"
    shutil.copytree(FIXTURE, folder)
    return folder


def with_packages(course: Path, block: str) -> tuple[Path, int]:
    """Append ``block`` (YAML) to the course file; return the file and the line it starts on."""
    yml = course / "course.yml"
    text = yml.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    yml.write_text(text + block, encoding="utf-8")
    return yml, text.count("\n") + 1


def test_off_by_default(course):
    loaded = load_course(course)
    assert "packages" not in loaded.data
    assert package_hosts(loaded.data) == [] and package_index(loaded.data) is None


def test_named_hosts_and_an_index(course):
    with_packages(
        course,
        "packages:\n  hosts: [pypi.org, files.pythonhosted.org]\n"
        "  index_url: https://pypi.org/simple\n",
    )
    data = load_course(course).data
    assert package_hosts(data) == ["pypi.org", "files.pythonhosted.org"]
    assert package_index(data) == "https://pypi.org/simple"


@pytest.mark.parametrize(
    ("host", "says"),
    [
        ("127.0.0.1", "is an IP address"),
        ("'::1'", "is an IP address"),
        ("'[::1]'", "is an IP address"),
        ("localhost", "is this machine"),
        ("db.localhost", "is this machine"),
        ("https://pypi.org", "is a URL"),
        ("'pypi.org:8080'", "has a port"),
        ("PyPI.org", "upper-case"),
        ("'*.pythonhosted.org'", "is not a host name"),
        ("pypi", "is not a host name"),
    ],
)
def test_a_host_that_is_not_a_public_name_is_refused_with_its_line(course, host, says):
    yml, start = with_packages(course, f"packages:\n  hosts:\n    - pypi.org\n    - {host}\n")
    problems = check_course(course)
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert (problem.file, problem.line) == (yml, start + 3), str(problem)
    assert problem.message.startswith("packages.hosts[1]: ") and says in problem.message
    assert problem.hint


def test_the_same_host_twice(course):
    yml, start = with_packages(course, "packages:\n  hosts: [pypi.org, pypi.org]\n")
    (problem,) = check_course(course)
    assert problem.line == start + 1
    assert problem.message == "packages.hosts[1]: 'pypi.org' is listed twice"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://mirror.example.org/simple", "'mirror.example.org' is not in packages.hosts"),
        ("https://user:secret@pypi.org/simple", "holds credentials"),
        ("https://pypi.org:8443/simple", "names port 8443"),
        ("ftp://pypi.org/simple", "is not an http(s) URL"),
    ],
)
def test_an_index_off_the_hosts_is_refused(course, url, says):
    yml, start = with_packages(course, f"packages:\n  hosts: [pypi.org]\n  index_url: {url}\n")
    (problem,) = check_course(course)
    assert (problem.file, problem.line) == (yml, start + 2)
    assert problem.message.startswith("packages.index_url: ") and says in problem.message


@pytest.mark.parametrize(
    ("block", "says"),
    [
        ("packages:\n  hosts: []\n", "packages.hosts: [] should be non-empty"),
        ("packages:\n  index_url: https://pypi.org/simple\n", "'hosts' is a required property"),
        ("packages:\n  hosts: [pypi.org]\n  ports: [22]\n", "unknown key 'ports'"),
        ("packages: pypi.org\n", "is not of type 'object'"),
    ],
)
def test_the_shape_is_checked(course, block, says):
    with_packages(course, block)
    (problem,) = check_course(course)
    assert says in problem.message, problem.message
    assert problem.message.startswith("packages")
