"""With KIOSK_REDIS_URL, health reports Redis. (Limits shared across processes: tests/scale, real processes.)"""

import pytest

from tests.conftest import make_app


@pytest.mark.redis
def test_health_reports_redis(tmp_path, redis_url):
    app = make_app(tmp_path, REDIS_URL=redis_url, REDIS_NAMESPACE="test", RATELIMIT_STORAGE_URI=redis_url)
    body = app.test_client().get("/healthz").get_json()
    assert body["checks"] == {"database": "ok", "redis": "ok"}


def test_health_is_degraded_but_serving_when_only_redis_is_down(tmp_path):
    # Redis is an accelerator (issue 21): every route answers without it, so the process stays in the
    # balancer and a rolling restart waiting on /healthz goes on; monitoring reads "degraded".
    app = make_app(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", REDIS_NAMESPACE="test")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["checks"]["redis"].startswith("error")


def test_health_is_503_naming_the_database_when_it_does_not_answer(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from kiosk_server.extensions import db

    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert (body["status"], body["checks"]) == ("degraded", {"database": "error: OperationalError"})
