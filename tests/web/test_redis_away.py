"""Redis away (issue 21): rate limits fall back to this process's memory, and are shared again when it returns."""

from __future__ import annotations

import time

import pytest
import redis

from kiosk_server.extensions import db
from kiosk_server.services.core.tokens import create_token
from kiosk_server.services.core.users import create_user
from tests.conftest import COMMUNE, Auth, bearer, make_app
from tests.notice_helpers import notice_body
from tests.private_redis import PrivateRedis

NAMESPACE = "bangtin-redis-away"


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    yield server
    server.close()


def limit_keys(url: str) -> list[bytes]:
    # The private Redis holds nothing else. (Flask-Limiter's one object keeps the key prefix of the first
    # app a test process built, so the namespace is not in every key.)
    return list(redis.Redis.from_url(url).scan_iter("*"))


def test_limited_routes_answer_while_redis_is_away_and_share_limits_again_when_it_returns(tmp_path, private_redis):
    url = private_redis.url
    app = make_app(tmp_path, REDIS_URL=url, REDIS_NAMESPACE=NAMESPACE, RATELIMIT_STORAGE_URI=url)
    with app.app_context():
        token = create_token(create_user("bientap@example.vn", "password-123", "editor", COMMUNE, actor="test"),
                             "test")[1]
        db.session.remove()
    client = app.test_client()
    auth = Auth(client)
    assert client.post("/api/v1/notices", json=notice_body(), headers=bearer(token)).status_code == 201
    assert limit_keys(url), "the limits are counted in Redis while it answers"

    private_redis.stop()
    created = client.post("/api/v1/notices", json=notice_body(title="Lúc Redis vắng"), headers=bearer(token))
    assert created.status_code == 201
    assert auth.login("bientap@example.vn", "wrong-password").status_code == 401  # the form refuses, not a 500
    health = client.get("/healthz").get_json()
    assert health["status"] == "degraded"
    assert health["checks"]["redis"].startswith("error")
    assert health["checks"]["rate_limits"].startswith("degraded")

    private_redis.start()  # empty: nothing was saved
    deadline = time.monotonic() + 90  # Flask-Limiter retries its storage with a backoff of up to a minute
    while not limit_keys(url) and time.monotonic() < deadline:
        assert auth.login("bientap@example.vn", "wrong-password").status_code == 401  # the form refuses, not a 500
        time.sleep(0.5)
    assert limit_keys(url), "the limits are counted in Redis again, shared by every process"
    health = client.get("/healthz").get_json()
    assert (health["status"], health["checks"]) == ("ok", {"database": "ok", "redis": "ok"})
