"""The grader gives nbgrader's scores, in a sandbox, and no points for tricks.

Every test grades real notebooks with real nbgrader preprocessors on a real ipykernel inside
bubblewrap; nothing is mocked.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import nbgrader
import pytest

from nbcampus_graders.keys import generate_release

from .conftest import FAST, answer, run_grade, stock_autograde

ROOT = Path(__file__).resolve().parents[2]
PS1 = Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide"
CORRECT = "def double(x):\n    return 2 * x"
WRONG = "def double(x):\n    return x + 2"  # passes the visible test (2 -> 4), fails the hidden one


def text_of(page: bytes) -> str:
    """What a reader sees in an HTML page (syntax highlighting splits code into spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.decode()))


def auto_scores(result) -> dict[str, float]:
    return {c["grade_id"]: c["points"] for c in result.cells if c["kind"] == "auto"}


def test_scores_equal_stock_nbgrader_on_its_own_example_assignment(tmp_path):
    files, key = generate_release(PS1 / "source" / "ps1", "course101")
    assert "### BEGIN HIDDEN TESTS" not in files["problem1.ipynb"].decode()
    submissions = {
        student: {
            p.name: p.read_bytes()
            for p in (PS1 / "submitted" / student / "ps1").iterdir()
            if p.is_file() and p.name != "timestamp.txt"
        }
        for student in ("bitdiddle", "hacker")
    }
    stock = stock_autograde(PS1 / "source" / "ps1", submissions, tmp_path / "stock")
    for student, subfiles in submissions.items():
        ours = run_grade(key, subfiles, assignment="ps1", config={})
        assert ours.sandboxed and ours.state == "graded", ours.review_reasons
        expected = {k: v for k, v in stock[student].items() if v is not None}
        assert auto_scores(ours) == expected, student
    # the two learners differ, so the comparison can fail
    assert stock["bitdiddle"] != stock["hacker"]


def test_scores_equal_stock_nbgrader_on_the_demo_course(tmp_path):
    source = ROOT / "courses" / "python-data" / "source" / "week1-exercises"
    files, key = generate_release(source, "python-data")
    full = {"exercises.ipynb": (source / "exercises.ipynb").read_bytes()}
    blank = {"exercises.ipynb": files["exercises.ipynb"]}
    nb = nbformat.reads(full["exercises.ipynb"].decode(), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "bmi":
            cell.source = "def bmi(weight_kg, height_m):\n    return round(weight_kg / height_m, 1)"
    partly = {"exercises.ipynb": nbformat.writes(nb).encode()}
    submissions = {"full": full, "blank": blank, "partly": partly}
    stock = stock_autograde(source, submissions, tmp_path / "stock")
    totals = {}
    for student, subfiles in submissions.items():
        ours = run_grade(key, subfiles, assignment="week1-exercises", config={})
        assert auto_scores(ours) == {k: v for k, v in stock[student].items() if v is not None}
        totals[student] = ours.auto_score
    assert totals["full"] == 5 and totals["blank"] == 0 and 0 < totals["partly"] < 5


def test_correct_and_wrong_answers(ex1):
    files, key = ex1
    right = run_grade(key, answer(files, CORRECT))
    assert (right.auto_score, right.max_score, right.state) == (2, 2, "graded")
    wrong = run_grade(key, answer(files, WRONG))
    assert wrong.auto_score == 0 and wrong.state == "graded"


def test_hidden_tests_never_reach_the_learners_feedback(ex1):
    files, key = ex1
    wrong = run_grade(key, answer(files, WRONG))
    page = text_of(wrong.feedback["ex1.html"])
    assert "assert double(2) == 4" in page  # the visible test is shown
    assert "double(-1)" not in page and "HIDDEN TESTS" not in page
    assert "Hidden tests: FAILED" in page
    # staff's graded copy keeps the hidden test
    import base64

    assert "double(-1)" in base64.b64decode(wrong.graded["ex1.ipynb"]).decode()


def test_a_visible_test_failure_shows_its_error_and_traceback_never_the_hidden_tests(ex1):
    """A blank submission: the visible test raises NotImplementedError, which the learner must
    see (message and traceback to their own code), not only "Hidden tests: FAILED"."""
    files, key = ex1
    blank = run_grade(key, files)  # the released notebook as is: raise NotImplementedError()
    page = text_of(blank.feedback["ex1.html"])
    error = page[page.index("Traceback (most recent call last)") :]
    assert "----> 1 assert double(2) == 4" in error and "raise NotImplementedError()" in error
    assert "NotImplementedError" in error.split("raise NotImplementedError()", 1)[1]
    assert "Hidden tests: not run" in page
    assert "double(-1)" not in page and "HIDDEN TESTS" not in page and "_nbcampus" not in page
    # an error raised by the learner's code under a hidden test shows nothing of that test
    picky = "def double(x):\n    if x < 0:\n        raise ValueError('negative')\n    return 2 * x"
    hidden = text_of(run_grade(key, answer(files, picky)).feedback["ex1.html"])
    assert "Hidden tests: FAILED" in hidden
    assert "double(-1)" not in hidden and "_nbcampus" not in hidden


def test_a_leaked_hidden_test_line_is_redacted_from_later_outputs(ex1):
    files, key = ex1

    def spy(nb):
        nb.cells.append(nbformat.v4.new_code_cell("print(_ih[-1] if '_ih' in dir() else In[-2])"))

    leak = "import inspect\nseen = []\ndef double(x):\n    seen.append(inspect.stack()[1].code_context)\n    return 2 * x"

    def later(nb):
        nb.cells.append(nbformat.v4.new_code_cell("print(seen)"))

    result = run_grade(key, answer(files, leak, edit=later))
    page = text_of(result.feedback["ex1.html"])
    assert "double(-1)" not in page
    assert "[hidden test redacted]" in page


STRIP_ERRORS = "get_ipython().showtraceback = lambda *a, **k: None\n" + WRONG


@pytest.mark.parametrize(
    "trick, code",
    [
        ("showtraceback", STRIP_ERRORS),
        (
            "showtraceback-class",
            "from IPython.core.interactiveshell import InteractiveShell\n"
            "InteractiveShell.showtraceback = lambda *a, **k: None\n" + WRONG,
        ),
        ("sys.exit", WRONG + "\nimport sys\nsys.exit(0)"),
        ("os._exit", "import os\nos._exit(0)"),
        ("kill-kernel", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
        (
            "lying-eq",
            "class Anything:\n    def __eq__(self, other):\n        return True\n"
            "def double(x):\n    return Anything()",
        ),
        (
            "lying-int",
            "class Int(int):\n    def __eq__(self, other):\n        return True\n"
            "def double(x):\n    return Int(0)",
        ),
        (
            "remove-asserts",
            "import ast\nclass NoAssert(ast.NodeTransformer):\n"
            "    def visit_Assert(self, node):\n        return ast.Pass()\n"
            "get_ipython().ast_transformers.append(NoAssert())\n" + WRONG,
        ),
        (
            "swallow-errors",
            "ip = get_ipython()\nreal = ip.run_cell\n"
            "def run_cell(raw_cell, *a, **k):\n    return real('try:\\n' + '\\n'.join('    ' + l for l in raw_cell.splitlines()) + '\\nexcept Exception:\\n    pass', *a, **k)\n"
            "ip.run_cell = run_cell\n" + WRONG,
        ),
        (
            "patch-builtins",
            "import builtins\nbuiltins.AssertionError = type('Quiet', (Exception,), {})\n" + WRONG,
        ),
        (
            "fake-results-file",
            "import json\nfor name in ('results.json', 'gradebook.db', '.kernel.json', 'ex1.ipynb'):\n"
            "    try:\n        open(name, 'w').write(json.dumps({'score': 2, 'max_score': 2}))\n"
            "    except OSError:\n        pass\n" + WRONG,
        ),
        ("endless-output", "while True:\n    print('x' * 10000)"),
        ("infinite-loop", "while True:\n    pass"),
        ("memory-bomb", "hog = bytearray(8 * 1024 ** 3)\n" + CORRECT.replace("2 * x", "hog")),
        (
            "fork-bomb",
            "import os\nkids = 0\ntry:\n    while kids < 10000:\n        if os.fork() == 0:\n"
            "            import time; time.sleep(30); os._exit(0)\n        kids += 1\n"
            "except OSError:\n    pass\n" + WRONG,
        ),
    ],
)
def test_tricks_earn_no_points(ex1, trick, code):
    files, key = ex1
    result = run_grade(key, answer(files, code))
    assert result.auto_score == 0, (trick, result.cells)
    test_cell = next(c for c in result.cells if c["grade_id"] == "test_double")
    assert test_cell["points"] == 0


def test_patching_the_grader_is_flagged_for_review(ex1):
    files, key = ex1
    result = run_grade(key, answer(files, STRIP_ERRORS))
    assert result.state == "review"
    assert "showtraceback" in " ".join(result.review_reasons)


def test_the_kernel_dying_scores_the_rest_zero_and_says_why(ex1):
    files, key = ex1
    result = run_grade(key, answer(files, "import os\nos._exit(3)"))
    [cell] = [c for c in result.cells if c["grade_id"] == "test_double"]
    assert cell["points"] == 0 and "not run" in cell["status"]


def test_edited_deleted_and_duplicated_test_cells_are_replaced_by_the_key(ex1):
    files, key = ex1

    def edit(nb):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_double":
                cell.source = "pass"

    def delete(nb):
        nb.cells = [
            c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_double"
        ]

    def duplicate(nb):
        test = next(
            c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_double"
        )
        copy = nbformat.from_dict(test)
        copy.source = "pass"
        nb.cells.insert(1, copy)

    def retype(nb):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_double":
                cell.cell_type = "markdown"
                cell.pop("outputs", None)
                cell.pop("execution_count", None)

    for change in (edit, delete, duplicate, retype):
        wrong = run_grade(key, answer(files, WRONG, edit=change))
        assert wrong.auto_score == 0, change.__name__
        right = run_grade(key, answer(files, CORRECT, edit=change))
        assert right.auto_score == 2, (change.__name__, right.cells)


def test_endless_output_is_capped(ex1):
    files, key = ex1
    result = run_grade(key, answer(files, "while True:\n    print('x' * 10000)"))
    import base64

    graded = base64.b64decode(result.graded["ex1.ipynb"])
    assert len(graded) < 3_000_000
    assert len(result.feedback["ex1.html"]) < 3_000_000


def test_the_sandbox_hides_the_machine_and_the_network(ex1, tmp_path):
    files, key = ex1
    root = Path(__file__).resolve().parents[2]
    hidden = [
        str(root / "courses"),
        str(root / "var"),
        str(root / "extensions"),
        "/var/lib/postgresql",
        "/home",
    ]
    probe = (
        "import os, socket\nfound = []\n"
        f"for path in {hidden!r}:\n"
        "    try:\n        found.append((path, os.listdir(path)))\n    except OSError:\n        pass\n"
        "try:\n    socket.create_connection(('127.0.0.1', 5432), timeout=2)\n    found.append('network')\n"
        "except OSError:\n    pass\n"
        "secrets = [k for k in os.environ if 'TOKEN' in k or 'SECRET' in k or 'NBCAMPUS' in k or 'JUPYTERHUB' in k]\n"
        "print('FOUND', found, secrets, os.getuid())\n" + CORRECT
    )
    result = run_grade(key, answer(files, probe))
    import base64

    graded = base64.b64decode(result.graded["ex1.ipynb"]).decode()
    line = next(line for line in graded.splitlines() if "FOUND" in line and "print" not in line)
    assert "FOUND [] [] " in line and " 0\\n" not in line, line
    assert "'network'" not in line
    assert result.auto_score == 2


def test_nothing_a_submission_leaves_reaches_the_next_one(ex1):
    """Kernels of one worker are forked by one sandboxed zygote: between submissions every
    process is killed, scratch space emptied, and a job folder cannot see the others."""
    files, key = ex1
    leave = (
        "import subprocess\n"
        "subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
        "open('/tmp/left-behind', 'w').write('secret')\n" + CORRECT
    )
    assert run_grade(key, answer(files, leave)).auto_score == 2
    look = (
        "import os\n"
        "cmds = [open(f'/proc/{p}/cmdline', 'rb').read() for p in os.listdir('/proc') if p.isdigit()]\n"
        "try:\n    siblings = os.listdir(os.path.dirname(os.getcwd()))\nexcept OSError:\n    siblings = 'refused'\n"
        "print('STATE', any(b'sleep' in c for c in cmds), os.path.exists('/tmp/left-behind'), siblings)\n"
        + CORRECT
    )
    result = run_grade(key, answer(files, look))
    import base64

    graded = base64.b64decode(result.graded["ex1.ipynb"]).decode()
    assert "STATE False False refused" in graded


def test_no_sandbox_means_no_grading_unless_the_admin_says_so_loudly(ex1):
    files, key = ex1
    missing = {**FAST, "Sandbox": {"bwrap": "/nonexistent/bwrap"}}
    with pytest.raises(RuntimeError, match="cannot sandbox the submission: bubblewrap"):
        run_grade(key, answer(files, CORRECT), config=missing)
    unsafe = {**FAST, "Sandbox": {"bwrap": "/nonexistent/bwrap", "allow_unsandboxed": True}}
    result = run_grade(key, answer(files, CORRECT), config=unsafe)
    assert result.auto_score == 2 and result.sandboxed is False


def test_doctor_reports_the_sandbox():
    import subprocess
    import sys

    ok = subprocess.run(
        [sys.executable, "-m", "nbcampus", "doctor"], capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0 and "grading sandbox: OK" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "nbcampus", "doctor", "--Sandbox.bwrap=/nonexistent/bwrap"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1 and "UNAVAILABLE" in bad.stdout and "unsafe" in bad.stdout
