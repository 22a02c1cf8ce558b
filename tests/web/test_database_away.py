"""PostgreSQL away is a clear 503 (issue 21): every kind of route answers 503 with Retry-After within 10 s,
in the contract's JSON or a Vietnamese page, and answers again once the server is back, without a restart.

The server stopped is a private cluster this module starts (tests/private_postgres.py), never the shared one.
"""

from __future__ import annotations

import time

import pytest

from kiosk_server.extensions import db
from tests.conftest import COMMUNE, Auth, bearer, make_app
from tests.private_postgres import PrivateCluster

# One cluster for the module, so its tests run in order on one worker; the real clock, as the server has it.
pytestmark = pytest.mark.real_clock

CONTRACT_SECONDS = 10  # the bound on any answer while the database is away


@pytest.fixture(scope="module")
def cluster():
    made = PrivateCluster()
    yield made
    made.remove()


@pytest.fixture(scope="module")
def board(cluster, tmp_path_factory):
    """An app on the private cluster, with an officer signed in, an API token and a paired screen."""
    from kiosk_server.services.core.tokens import create_token
    from kiosk_server.services.core.users import create_user
    from kiosk_server.services.screens import kiosks

    app = make_app(tmp_path_factory.mktemp("away"), DATABASE_URL=cluster.url)
    with app.app_context():
        officer = create_user("xa@example.vn", "password-123", "admin", COMMUNE, actor="test")
        api_token = create_token(officer, "test")[1]
        screen_token = kiosks.provision_kiosk("Một cửa", COMMUNE, ["Trụ sở"], actor="test")[1]
        db.session.remove()
    officer_client = app.test_client()
    Auth(officer_client).login("xa@example.vn")
    yield {"app": app, "officer": officer_client, "citizen": app.test_client(),
           "api": bearer(api_token), "screen": bearer(screen_token)}
    with app.app_context():
        db.engine.dispose()


def _requests(board) -> dict:
    """Return what each kind of client asks, as (client, path, headers)."""
    return {
        "api": (board["citizen"], "/api/v1/notices", board["api"]),
        "public board": (board["citizen"], f"/p/{COMMUNE}", {}),
        "officer": (board["officer"], "/admin/", {}),
        "screen": (board["citizen"], "/kiosk/manifest", board["screen"]),
    }


def _timed(client, path, headers):
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    return response, time.perf_counter() - started


def test_every_kind_of_route_answers_before_the_database_stops(board, cluster):
    cluster.start()  # each test sets the state it needs: xdist may run them apart, in any order
    for name, (client, path, headers) in _requests(board).items():
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (name, response.status_code)


def test_with_the_database_away_every_route_answers_503_with_retry_after_within_10_s(board, cluster):
    cluster.stop()
    for name, (client, path, headers) in _requests(board).items():
        response, elapsed = _timed(client, path, headers)
        assert response.status_code == 503, (name, response.status_code, response.get_data(as_text=True)[:300])
        assert elapsed < CONTRACT_SECONDS, (name, elapsed)
        # The database's bound, not Flask-Limiter's window (which it would put there on limited routes).
        assert response.headers["Retry-After"] == "10", name
        if name in ("api", "screen"):
            error = response.get_json()["error"]
            assert error["code"] == "database_unavailable"
            assert "Kho dữ liệu tạm thời không truy cập được" in error["message"]
            assert error["fields"] == {}
        else:
            page = response.get_data(as_text=True)
            assert response.mimetype == "text/html"
            assert "Kho dữ liệu tạm thời không truy cập được" in page
            assert '<html lang="vi">' in page


def test_when_the_database_returns_every_route_answers_again_without_a_restart(board, cluster):
    cluster.stop()
    for name, (client, path, headers) in _requests(board).items():
        assert client.get(path, headers=headers).status_code == 503, name
    cluster.start()
    for name, (client, path, headers) in _requests(board).items():
        response, elapsed = _timed(client, path, headers)
        assert response.status_code == 200, (name, response.status_code, response.get_data(as_text=True)[:300])
        assert elapsed < CONTRACT_SECONDS, (name, elapsed)


class _Stop(BaseException):
    """Ends a background loop under test (the loop itself catches every Exception)."""


def test_a_background_loop_logs_one_line_per_outage_and_backs_off(board, cluster, caplog):
    from kiosk_server.models import Unit
    from kiosk_server.services.core import loops

    cluster.stop()
    rounds = []

    def work():
        rounds.append(1)
        if len(rounds) == 4:
            cluster.start()
        if len(rounds) == 6:
            raise _Stop
        db.session.query(Unit).first()  # the real query, on the real (stopped, then started) server

    with caplog.at_level("WARNING"), pytest.raises(_Stop):
        loops.run_forever(board["app"], 0.01, work, "test sweep")
    lines = [r for r in caplog.records if "test sweep" in r.getMessage()]
    assert [r.exc_info for r in lines] == [None, None]  # no traceback
    assert "database unavailable" in lines[0].getMessage()
    assert "answers again after 3 failed rounds" in lines[1].getMessage()
    assert [loops.backoff(0.5, n) for n in range(8)] == [0.5, 1, 2, 4, 8, 8, 8, 8]
    assert loops.backoff(60, 5) == 60


def test_a_screen_asking_about_its_current_manifest_keeps_its_304_while_the_database_is_away(board, cluster):
    cluster.start()
    screen = board["citizen"]
    etag = screen.get("/kiosk/manifest", headers=board["screen"]).headers["ETag"]
    assert screen.get("/kiosk/manifest", headers={**board["screen"], "If-None-Match": etag}).status_code == 304

    cluster.stop()
    try:
        # The version this process last found for the screen: nothing can change it while the database is away.
        response, elapsed = _timed(screen, "/kiosk/manifest", {**board["screen"], "If-None-Match": etag})
        assert (response.status_code, response.headers["ETag"]) == (304, etag)
        assert elapsed < CONTRACT_SECONDS
        # Any other version (or a screen this process has not answered) gets the 503 of every route.
        response, elapsed = _timed(screen, "/kiosk/manifest", {**board["screen"], "If-None-Match": '"k1-v0"'})
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "database_unavailable"
        assert elapsed < CONTRACT_SECONDS
    finally:
        cluster.start()
