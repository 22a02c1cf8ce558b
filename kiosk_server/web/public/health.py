"""/healthz: whether the database (and Redis, when configured) answer, for load balancers and monitoring;
also the bytes free on the media store's disk (None when it cannot be read)."""

from __future__ import annotations

from flask import current_app, jsonify
from sqlalchemy import text

from kiosk_server.extensions import db, limiter
from kiosk_server.storage import media_store


def redis_client():
    """Return this app's one Redis client for health probes, made at the first probe.

    One client keeps one connection pool: a probe every few seconds from each balancer reuses a
    connection instead of opening (and closing) one per request. Short timeouts, connect included:
    a probe must get an answer, not hang.
    """
    client = current_app.extensions.get("health_redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=1, socket_connect_timeout=1)
        client = current_app.extensions.setdefault("health_redis", client)
    return client


def rate_limits_in_memory() -> bool:
    """Return True while Flask-Limiter counts in this process's memory because its Redis did not answer.

    It switches back by itself, at a request, once Redis answers again (with a backoff of up to a
    minute between its tries).
    """
    return limiter.initialized and limiter.limiter.storage is not limiter.storage


def healthz():
    """Report whether the database (and Redis, when configured) answer.

    503 when the database does not; 200 "degraded", naming Redis, when only Redis does not.
    """
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not healthy"; the reason is for the operator
        db.session.rollback()
        checks["database"] = f"error: {type(exc).__name__}"
    if current_app.config.get("REDIS_URL"):
        try:
            redis_client().ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
        if rate_limits_in_memory():
            checks["rate_limits"] = "degraded: per-process memory until Redis answers"
    healthy = all(v == "ok" for v in checks.values())
    # Only the database decides whether this process can serve (503): with Redis away every route still
    # answers, limits counted in this process (docs/operations.md), so a balancer or a rolling restart
    # waiting on /healthz must keep the process; "degraded" and the failing check tell monitoring.
    # The free space is reported, not judged: a nearly full disk refuses uploads (507) but screens play on.
    response = jsonify({"status": "ok" if healthy else "degraded", "checks": checks,
                        "media_free_bytes": media_store().free_bytes()})
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if checks["database"] == "ok" else 503
