"""Calibration and the reviewing score on SQLite and PostgreSQL: the examples come in order and
block the allocation of peers' work until each is passed; a wrong attempt gets per-criterion
feedback but never the reference; tolerance in points; the course check refuses bad reference
assessments with their line; the reviewing score on reviews with known medians, by name for
staff only."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
import yaml
from sqlalchemy import select

from nbcampus.course.check import check_course
from nbcampus.school.core.errors import CampusError, Conflict, Forbidden, NotFound
from nbcampus.testing import write_peer_course

from . import test_peer_review as base
from .test_peer_review import BLOCK, COURSE, NOW, TEACHER, learner
from .test_peer_review import peer as peer_api

pool = base.pool  # the fixture: ana, bo, cy, dee (spring) and eve (autumn) in ``peer``

CALIBRATION = {
    "examples": [
        {
            "answer": "A **clear** answer, soundly argued. <script>alert(1)</script>",
            "levels": {"clarity": 2, "method": 1},
            "explanation": "Clear *and* sound.",
        },
        {"answer": "A muddled answer.", "levels": {"clarity": 0, "method": 0}},
    ],
    "tolerance": 0,
}


def example(p, name):
    return p.run(peer_api.next_example, learner(name), COURSE, "ex1")


def practise(p, name, index, clarity, method):
    body = {"index": index, "levels": {"clarity": clarity, "method": method}}
    return p.run(peer_api.practise, learner(name), COURSE, "ex1", body, NOW)


def standing(p, name):
    [item] = p.run(peer_api.my_peer_reviews, learner(name), COURSE, NOW)["items"]
    return item


def test_calibration_comes_first_in_order_and_hides_the_reference_until_passed(pool):
    p = pool(calibration=CALIBRATION)
    p.submit("ana", NOW - timedelta(hours=1))
    p.submit("bo", NOW)
    with pytest.raises(Forbidden, match="practise on the 2 calibration examples of 'ex1' first"):
        p.ask("bo")
    assert standing(p, "bo")["calibration"] == {"examples": 2, "passed": 0, "calibrated": False}
    first = example(p, "bo")
    assert (first["index"], first["passed"], first["calibrated"]) == (0, 0, False)
    assert (
        "<strong>clear</strong>" in first["answer_html"] and "<script" not in first["answer_html"]
    )
    assert [c["id"] for c in first["rubric"]] == ["clarity", "method"]
    assert "reference" not in first and "Clear" not in json.dumps(first)

    wrong = practise(p, "bo", 0, 1, 1)
    assert wrong["passed"] is False and wrong["criteria"] == {
        "clarity": "too low",
        "method": "agrees",
    }
    assert wrong["reference"] is None and wrong["explanation_html"] is None
    assert "sound" not in json.dumps(wrong)
    with pytest.raises(Conflict, match="practise on calibration example 0 of 'ex1' next, not 1"):
        practise(p, "bo", 1, 0, 0)
    assert example(p, "bo")["index"] == 0  # still the first: not passed

    right = practise(p, "bo", 0, 2, 1)
    assert right["passed"] is True and set(right["criteria"].values()) == {"agrees"}
    assert right["reference"] == {"clarity": 2, "method": 1}
    assert right["explanation_html"].strip() == "<p>Clear <em>and</em> sound.</p>"
    assert right["calibrated"] is False
    with pytest.raises(Forbidden, match=r"\(1 passed\)"):
        p.ask("bo")
    second = example(p, "bo")
    assert (second["index"], second["passed"]) == (1, 1)
    last = practise(p, "bo", 1, 0, 0)
    assert last["calibrated"] is True and last["explanation_html"] == ""  # none given
    done = example(p, "bo")
    assert done["calibrated"] is True and done["index"] is None and done["answer_html"] is None
    with pytest.raises(Conflict, match="passed every calibration example"):
        practise(p, "bo", 1, 0, 0)
    assert standing(p, "bo")["calibration"] == {"examples": 2, "passed": 2, "calibrated": True}
    found, created = p.ask("bo")  # now the work of a peer
    assert created and p.author_of(found["allocation_id"]) == "ana"
    with p.db.session() as session:  # every attempt is kept
        rows = session.scalars(
            select(peer_api.PeerCalibration).order_by(peer_api.PeerCalibration.id)
        ).all()
        assert [(r.username, r.example, r.passed) for r in rows] == [
            ("bo", 0, False),
            ("bo", 0, True),
            ("bo", 1, True),
        ]
        assert rows[0].levels == {"clarity": 1, "method": 1}


def test_tolerance_is_in_points_per_criterion(pool):
    p = pool(calibration={**CALIBRATION, "tolerance": 1})
    # reference 2 and 3 points: 1 point off agrees, 3 points off is too low
    attempt = practise(p, "ana", 0, 1, 0)
    assert attempt["criteria"] == {"clarity": "agrees", "method": "too low"}
    assert attempt["passed"] is False
    assert practise(p, "ana", 0, 1, 1)["passed"] is True
    # reference 0 and 0 points: 2 points too many is too high
    attempt = practise(p, "ana", 1, 2, 0)
    assert attempt["criteria"] == {"clarity": "too high", "method": "agrees"}


def test_bad_levels_are_refused_with_the_reason_and_nothing_is_stored(pool):
    p = pool(calibration=CALIBRATION)
    for levels, message in (
        ({"clarity": 2}, "give a level for criterion 'method'"),
        ({"clarity": 5, "method": 0}, "levels.clarity: 5 is not a level"),
        ({"clarity": 1, "method": 0, "style": 1}, "unknown criterion 'style'"),
    ):
        body = {"index": 0, "levels": levels}
        with pytest.raises(CampusError, match=message):
            p.run(peer_api.practise, learner("ana"), COURSE, "ex1", body, NOW)
    with p.db.session() as session:
        assert session.scalars(select(peer_api.PeerCalibration)).all() == []
    with pytest.raises(Forbidden, match="zed is not enrolled"):
        p.run(peer_api.next_example, learner("zed"), COURSE, "ex1")


def test_without_calibration_there_is_nothing_to_practise(pool):
    p = pool()
    with pytest.raises(NotFound, match="'ex1' has no calibration examples"):
        example(p, "ana")
    assert standing(p, "ana")["calibration"] is None


def test_course_check_refuses_bad_reference_assessments_with_their_line(make_course):
    block = copy.deepcopy({**BLOCK, "calibration": CALIBRATION})
    block["calibration"]["examples"][0]["levels"] = {"clarity": 3, "method": 1, "style": 0}
    block["calibration"]["examples"][1]["levels"] = {"clarity": 0}
    folder = write_peer_course(make_course.root, "bad-calibration", block)
    lines = (folder / "course.yml").read_text().splitlines()
    problems = {p.message: p.line for p in check_course(folder)}
    name = "assignment 'ex1': calibration example"
    expected = {
        f"{name} 1: level 3 of 'clarity' does not exist (its levels are 0 to 2)": "clarity: 3",
        f"{name} 1 gives a level for 'style', which is not a rubric criterion": "style: 0",
        f"{name} 2 gives no reference level for 'method'": "levels:",
    }
    for message, text in expected.items():
        assert message in problems, list(problems)
        assert text in lines[problems[message] - 1], (message, lines[problems[message] - 1])
    data = yaml.safe_load((folder / "course.yml").read_text())
    data["modules"][0]["assignments"][0]["peer_review"]["calibration"]["colour"] = "red"
    (folder / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    assert any("colour" in p.message and p.line > 0 for p in check_course(folder))


def test_the_reviewing_score_is_the_distance_to_each_submissions_median(pool):
    """ana, bo, cy review two each (allocation order is known), then dee one: points per
    review (clarity of 2, method of 3) against the medians of the submission's reviews."""
    p = pool()
    for i, name in enumerate(("ana", "bo", "cy")):
        p.submit(name, NOW - timedelta(hours=4 - i))
    steps = [  # reviewer, expected author, clarity level, method level
        ("ana", "bo", 2, 1),
        ("bo", "ana", 1, 1),
        ("cy", "ana", 1, 1),
        ("ana", "cy", 2, 0),
        ("bo", "cy", 2, 1),
        ("cy", "bo", 0, 1),
        ("dee", "ana", 0, 0),
    ]
    for n, (reviewer, author, clarity, method) in enumerate(steps):
        if reviewer == "dee":  # dee submits last: the others' work is all reviewed twice
            p.submit("dee", NOW - timedelta(minutes=30))
        found, _ = p.ask(reviewer)
        assert p.author_of(found["allocation_id"]) == author, n
        p.review(reviewer, found["allocation_id"], {"clarity": clarity, "method": method})
        if n == 0:  # bo's work has one review: nothing to compare yet
            assert standing(p, "ana")["reviewing"] is None
    # bo's work: clarity 2, 0 (median 1), method 3, 3: ana and cy each 1/2 off on one of two
    # ana's work: clarity 1, 1, 0 (median 1), method 3, 3, 0 (median 3): bo, cy exact; dee
    # (1/2 + 3/3) / 2 = 0.75 off; cy's work: clarity 2, 2, method 0, 3 (median 1.5): ana and
    # bo (0 + 1.5/3) / 2 = 0.25 off
    assert standing(p, "ana")["reviewing"] == {"score": 75.0, "compared": 2}
    assert standing(p, "bo")["reviewing"] == {"score": 87.5, "compared": 2}
    assert standing(p, "dee")["reviewing"] == {"score": 25.0, "compared": 1}
    # an override is one score, not per criterion: the medians stay the reference
    p.run(peer_api.override, TEACHER, COURSE, "ex1", "ana", 1, "read it", NOW)
    queue = p.run(peer_api.staff_queue, TEACHER, COURSE, "ex1", NOW)
    assert queue["reviewers"] == [
        {"username": "ana", "reviews_given": 2, "reviewing_score": 75.0, "compared": 2},
        {"username": "bo", "reviews_given": 2, "reviewing_score": 87.5, "compared": 2},
        {"username": "cy", "reviews_given": 2, "reviewing_score": 87.5, "compared": 2},
        {"username": "dee", "reviews_given": 1, "reviewing_score": 25.0, "compared": 1},
    ]
    # a learner sees their own score, never another learner's name
    for name in ("ana", "bo", "cy", "dee"):
        text = json.dumps(p.run(peer_api.my_peer_reviews, learner(name), COURSE, NOW))
        for other in {"ana", "bo", "cy", "dee"} - {name}:
            assert f'"{other}"' not in text, (name, other)
