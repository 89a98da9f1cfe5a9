"""Late policy on the server clock: grace, credit steps, hard close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nbcampus.school.deadlines.schedule import late_status

DUE = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)
POLICY = {
    "grace_minutes": 15,
    "credit": [{"after_days": 0, "percent": 80}, {"after_days": 2, "percent": 50}],
    "hard_close_days": 9,
}


def at(**delta) -> datetime:
    return DUE + timedelta(**delta)


def test_on_time_and_grace_get_full_credit():
    assert late_status(POLICY, DUE, at(hours=-1)).stage == "on-time"
    assert late_status(POLICY, DUE, DUE).credit_percent == 100
    grace = late_status(POLICY, DUE, at(minutes=14, seconds=59))
    assert (grace.stage, grace.credit_percent, grace.accepted) == ("grace", 100, True)


def test_credit_steps_apply_in_order():
    assert late_status(POLICY, DUE, at(minutes=16)).credit_percent == 80
    assert late_status(POLICY, DUE, at(days=2)).credit_percent == 80  # a step starts strictly after
    assert late_status(POLICY, DUE, at(days=2, seconds=1)).credit_percent == 50
    assert late_status(POLICY, DUE, at(days=9)).credit_percent == 50


def test_hard_close_refuses():
    closed = late_status(POLICY, DUE, at(days=9, seconds=1))
    assert (closed.stage, closed.accepted, closed.credit_percent) == ("closed", False, 0)
    assert closed.closes_at == at(days=9)


def test_no_policy_accepts_late_work_flagged():
    late = late_status(None, DUE, at(days=30))
    assert (late.stage, late.accepted, late.credit_percent, late.closes_at) == (
        "late",
        True,
        100,
        None,
    )


def test_full_credit_before_the_first_step():
    policy = {"credit": [{"after_days": 1, "percent": 70}]}
    assert late_status(policy, DUE, at(hours=12)).credit_percent == 100
    assert late_status(policy, DUE, at(days=1, minutes=1)).credit_percent == 70
