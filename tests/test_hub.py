"""The demo school on a real JupyterHub with real learner servers."""

from __future__ import annotations

import json

import pytest

from nbcampus.testing import LoginFailed

pytestmark = pytest.mark.hub


def _contents(session, school, username, path=""):
    r = session.get(f"{school.url}user/{username}/api/contents/{path}")
    return r


def test_learner_workspace_has_enrolled_lessons_only(school):
    session = school.login("learner2")
    school.start_server(session, "learner2")

    top = _contents(session, school, "learner2")
    assert top.status_code == 200
    names = {item["name"] for item in top.json()["content"]}
    # learner2 is enrolled in the MOOC and the COOC, not in the SPOC or the SOOC
    assert {"python-data", "acme-secure-coding"} <= names
    assert "testing-spoc" not in names and "algorithms-circle" not in names

    lessons = _contents(session, school, "learner2", "python-data/lessons")
    assert lessons.status_code == 200
    lesson_names = {item["name"] for item in lessons.json()["content"]}
    assert "week1-python-basics.ipynb" in lesson_names

    notebook = _contents(
        session, school, "learner2", "python-data/lessons/week1-python-basics.ipynb"
    )
    assert notebook.status_code == 200
    assert notebook.json()["content"]["nbformat"] == 4

    # exercise sources (solutions) never reach a learner's home
    assert _contents(session, school, "learner2", "python-data/source").status_code == 404
    # quizzes arrive as notebooks that load the questions from the service: no key inside
    quizzes = _contents(session, school, "learner2", "python-data/quizzes")
    assert quizzes.status_code == 200
    quiz_names = {item["name"] for item in quizzes.json()["content"]}
    assert quiz_names == {"week1-quiz.ipynb", "week2-quiz.ipynb", "week3-quiz.ipynb"}
    quiz = _contents(session, school, "learner2", "python-data/quizzes/week1-quiz.ipynb")
    code = [c["source"] for c in quiz.json()["content"]["cells"] if c["cell_type"] == "code"]
    assert code == ["from nbcampus.quiz import Quiz\n\nQuiz('python-data', 'week1-quiz')"]
    home = school.state_dir / "homes" / "learner2"
    for path in home.rglob("*.ipynb"):
        text = path.read_text()
        assert "### BEGIN SOLUTION" not in text and '"answer"' not in text, path


def test_learner_edits_survive_a_restart(school):
    session = school.login("learner1")
    school.start_server(session, "learner1")
    path = "python-data/lessons/week1-python-basics.ipynb"
    nb = _contents(session, school, "learner1", path).json()["content"]
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "my own note"})
    xsrf = session.cookies.get("_xsrf", path="/user/learner1/") or session.cookies.get("_xsrf")
    r = session.put(
        f"{school.url}user/learner1/api/contents/{path}",
        data=json.dumps({"type": "notebook", "format": "json", "content": nb}),
        headers={"X-XSRFToken": xsrf},
    )
    assert r.status_code == 200, r.text

    stop = session.delete(
        f"{school.url}hub/api/users/learner1/server",
        headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")},
    )
    assert stop.status_code in (202, 204), stop.text
    school.start_server(session, "learner1")
    nb = _contents(session, school, "learner1", path).json()["content"]
    assert nb["cells"][-1]["source"] == "my own note"


def test_formgrader_is_for_staff_not_learners(school):
    learner = school.login("learner3")
    school.start_server(learner, "learner3")
    assert learner.get(f"{school.url}user/learner3/formgrader").status_code == 404
    # the Assignments panel's server side stays available to learners
    import nbgrader

    version = learner.get(
        f"{school.url}user/learner3/nbgrader_version?version={nbgrader.__version__}"
    )
    assert version.status_code == 200

    instructor = school.login("instructor")
    school.start_server(instructor, "instructor")
    assert instructor.get(f"{school.url}user/instructor/formgrader").status_code == 200


def test_learner_cannot_reach_another_learners_server(school):
    session = school.login("learner3")
    school.start_server(session, "learner3")
    r = session.get(f"{school.url}user/learner2/api/contents", allow_redirects=False)
    assert r.status_code in (302, 403, 404)
    if r.status_code == 302:
        # redirected to the hub, which refuses to hand learner3 a token for learner2's server
        follow = session.get(f"{school.url}user/learner2/api/contents")
        assert follow.status_code in (403, 404)


def test_sign_up_for_open_courses(school):
    import requests

    session = requests.Session()
    session.get(f"{school.url}hub/signup").raise_for_status()
    xsrf = session.cookies.get("_xsrf")
    weak = session.post(
        f"{school.url}hub/signup",
        data={
            "username": "newcomer",
            "signup_password": "short",
            "signup_password_confirmation": "short",
            "_xsrf": xsrf,
        },
    )
    assert weak.status_code == 200
    assert "Something went wrong" in weak.text

    # a seeded name cannot be taken over by signing up again: a learner's is refused as in use,
    # admin's earlier, as a reserved name (the form says which)
    for seeded, refusal in [
        ("learner1", "this username is already in use"),
        ("admin", "This username is reserved"),
    ]:
        takeover = session.post(
            f"{school.url}hub/signup",
            data={
                "username": seeded,
                "signup_password": "a-Long-enough-passphrase-43",
                "signup_password_confirmation": "a-Long-enough-passphrase-43",
                "_xsrf": xsrf,
            },
        )
        assert takeover.status_code == 200 and refusal in takeover.text, seeded
        with pytest.raises(LoginFailed):
            school.login(seeded, "a-Long-enough-passphrase-43")

    strong = "a-Long-enough-passphrase-42"
    ok = session.post(
        f"{school.url}hub/signup",
        data={
            "username": "newcomer",
            "signup_password": strong,
            "signup_password_confirmation": strong,
            "_xsrf": xsrf,
        },
        allow_redirects=False,  # signed in and sent on (following it would spawn a server)
    )
    assert ok.status_code == 302, ok.text
    assert session.get(f"{school.url}hub/api/user").json()["name"] == "newcomer"
    # the weak attempt created nothing; the strong one an account that can log in at once
    school.login("newcomer", strong)
    with pytest.raises(LoginFailed):
        school.login("newcomer", "wrong-password-123")
