"""With KIOSK_REDIS_URL, several server processes share rate limits and report Redis in health."""

import pytest

from tests.conftest import Auth, make_app


@pytest.mark.redis
def test_login_limit_is_shared_between_processes(tmp_path, redis_url):
    settings = {"REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_LOGIN": "3 per minute"}
    first = make_app(tmp_path / "a", **settings)
    second = make_app(tmp_path / "b", **settings)
    a, b = Auth(first.test_client()), Auth(second.test_client())
    codes = [a.login("x@example.vn", "p").status_code, b.login("x@example.vn", "p").status_code,
             a.login("x@example.vn", "p").status_code, b.login("x@example.vn", "p").status_code]
    assert codes == [401, 401, 401, 429], "the fourth guess is refused whichever process gets it"


@pytest.mark.redis
def test_health_reports_redis(tmp_path, redis_url):
    app = make_app(tmp_path, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url)
    body = app.test_client().get("/healthz").get_json()
    assert body["checks"] == {"database": "ok", "redis": "ok"}


def test_health_is_503_when_redis_is_down(tmp_path):
    app = make_app(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"].startswith("error")
