"""Rewards in the Courses panel (issue 14), in a real browser on the demo school: the COOC's
learner sees their points, a bar per module and their streak; the cohort's leaderboard shows
nobody who did not choose to appear, then the learner once they opt in, and not after they
leave again (the choice is theirs, and the board follows it at once)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401  (the chromium fixture)
from test_browser_courses import log_in, open_panel

pytestmark = [pytest.mark.hub, pytest.mark.browser]

COOC = "acme-secure-coding"


def test_points_streak_and_an_opt_in_leaderboard_in_the_panel(school, browser, output_dir):  # noqa: F811
    context, page = log_in(browser, school, "learner2")
    try:
        panel = open_panel(page)
        card = panel.locator(f'.nbc-course[data-course="{COOC}"]')
        rewards = card.locator('.nbc-rewards[data-loaded="true"]')
        expect(rewards).to_have_count(1, timeout=60_000)
        expect(rewards.locator(".nbc-points-total")).to_have_text(re.compile(r"^\d+ points$"))
        expect(rewards.locator(".nbc-points-module")).to_have_count(1)  # the COOC's one module
        expect(rewards.locator(".nbc-streak")).to_contain_text("streak")
        board = rewards.locator("details.nbc-leaderboard")
        board.locator("summary").click()
        entries = board.locator(".nbc-leaderboard-list")
        expect(entries).to_have_text("Nobody on the board yet.", timeout=30_000)
        board.locator(".nbc-leaderboard-toggle", has_text="Show me on the board").click()
        me = entries.locator("li.nbc-leaderboard-me")
        expect(me).to_have_text(re.compile(r"^1\. learner2: \d+ pts$"), timeout=30_000)
        page.screenshot(path=str(output_dir / "rewards-in-the-panel.png"))
        board.locator(".nbc-leaderboard-toggle", has_text="Leave the board").click()
        expect(entries).to_have_text("Nobody on the board yet.", timeout=30_000)
    finally:
        context.close()
