"""psycopg 3 under gevent: slow queries on several greenlets never stop the server answering screens."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import create_engine, text

from tests.scale.conftest import make_cluster

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _slow_queries_running(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep%'")).scalar()
    finally:
        engine.dispose()


def test_heartbeats_are_answered_while_greenlets_wait_on_postgresql(tmp_path, postgres_url, redis_url, screens):
    group = make_cluster(tmp_path, postgres_url, redis_url, count=1)
    server = group[0]
    server.command = ["-m", "tests.scale.slow_query_server"]
    server.start()
    try:
        _, token = server.provision()
        screen = screens(server.url, token)
        deadline = time.monotonic() + 10
        while _slow_queries_running(postgres_url) < 4:
            assert time.monotonic() < deadline, "the slow queries never started"
            time.sleep(0.1)

        answers = []
        for _ in range(30):  # 3 s: every greenlet is inside a 2 s pg_sleep at some point
            started = time.monotonic()
            screen.call("heartbeat", {"version": 0, "current_item": None, "uptime_s": 1})
            answers.append(time.monotonic() - started)
            time.sleep(0.1)
        still_running = _slow_queries_running(postgres_url)
    finally:
        server.stop()

    print(f"heartbeat round trip during slow queries: median {statistics.median(answers) * 1000:.1f} ms, "
          f"max {max(answers) * 1000:.1f} ms over {len(answers)}")
    assert still_running >= 4, "the slow queries were still waiting on PostgreSQL while screens were answered"
    # A hub blocked by a query would hold an answer for the query's whole 2 s.
    assert max(answers) < 1.0, f"a heartbeat waited {max(answers):.2f} s: a query blocked the gevent hub"
