"""The spawner's requests for a learner's materials (enrolments, lessons) against a real service,
while the hub's own HTTP client is busy: they must not wait in its queue (a class of 100
arriving together failed spawns with "Timeout in request queue"), nor hold the hub's own
requests behind them."""

from __future__ import annotations

import asyncio
import socket

import pytest
from tornado.httpclient import AsyncHTTPClient

from nbcampus.workspace import CourseMaterials

pytestmark = pytest.mark.hub


async def test_materials_do_not_queue_behind_the_hubs_own_requests(campus):
    silent = socket.socket()  # accepts connections and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
    shared = AsyncHTTPClient()  # the hub's (10 requests at once): all ten taken
    hung = [
        asyncio.ensure_future(shared.fetch(url, connect_timeout=60, request_timeout=60))
        for _ in range(10)
    ]
    try:
        await asyncio.sleep(0.2)  # the ten are on the wire
        materials = CourseMaterials(
            f"{campus.url}services/nbcampus/api/", campus.tokens["ana"], timeout=15
        )
        enrolments = await asyncio.wait_for(materials.enrolments(), 25)
        assert isinstance(enrolments, list)
    finally:
        for request in hung:
            request.cancel()
        silent.close()
