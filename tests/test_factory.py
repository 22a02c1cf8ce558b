"""The app factory and the configuration order: defaults < instance/config.py < environment < test."""

from pathlib import Path

from kiosk_server import create_app
from kiosk_server.config import load_config


def test_factory_takes_test_configuration(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}, instance_path=str(tmp_path))
    assert app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.db"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    cfg = load_config(str(tmp_path), environ={})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'kiosk.db'}"
    assert cfg["BIND"] == "127.0.0.1:5000"
    assert cfg["MAX_CONTENT_LENGTH"] == 512 * 1024 * 1024


def test_configuration_precedence(tmp_path):
    (tmp_path / "config.py").write_text('BIND = "0.0.0.0:8000"\nMAX_UPLOAD_MB = 100\nPUBLIC_URL = "https://a.vn"\n')
    cfg = load_config(str(tmp_path), environ={})
    assert (cfg["BIND"], cfg["MAX_UPLOAD_MB"], cfg["PUBLIC_URL"]) == ("0.0.0.0:8000", 100, "https://a.vn")

    env = {"KIOSK_BIND": "127.0.0.1:9000", "KIOSK_MAX_UPLOAD_MB": "7"}
    cfg = load_config(str(tmp_path), environ=env)
    assert (cfg["BIND"], cfg["MAX_UPLOAD_MB"], cfg["PUBLIC_URL"]) == ("127.0.0.1:9000", 7, "https://a.vn")
    assert cfg["MAX_CONTENT_LENGTH"] == 7 * 1024 * 1024

    cfg = load_config(str(tmp_path), environ=env, overrides={"BIND": "127.0.0.1:1"})
    assert cfg["BIND"] == "127.0.0.1:1"


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = load_config(str(tmp_path), environ={})["SECRET_KEY"]
    second = load_config(str(tmp_path), environ={})["SECRET_KEY"]
    assert first == second and len(first) >= 64
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0, "the key file must be private"
    other = load_config(str(tmp_path / "elsewhere"), environ={})["SECRET_KEY"]
    assert other != first, "each install gets its own key, never a shared fallback"


def test_environment_secret_key_wins(tmp_path):
    cfg = load_config(str(tmp_path), environ={"KIOSK_SECRET_KEY": "from-env"})
    assert cfg["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_wsgi_module_patches_gevent_before_the_app(tmp_path):
    source = (Path(__file__).parent.parent / "wsgi.py").read_text()
    assert source.index("monkey.patch_all()") < source.index("from kiosk_server import create_app")
    assert '"SOCKETIO_ASYNC_MODE": "gevent"' in source


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["checks"]) == ("ok", {"database": "ok"})
    assert body["media_free_bytes"] > 0


def test_sqlite_runs_in_wal_mode(app):
    from sqlalchemy import text

    from kiosk_server.extensions import db

    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_behind_a_proxy_the_client_address_is_used(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, PROXIES=1)
    seen = []

    @app.get("/_whoami")
    def whoami():
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen == ["203.0.113.7"]


def test_metrics_report_screens_and_backlog(client, officers):
    from kiosk_server.services.screens import kiosks

    kiosks.provision_kiosk("Một cửa", "02215", actor="test")
    client.get("/healthz")
    body = client.get("/metrics").get_data(as_text=True)
    assert "bangtin_kiosks 1.0" in body and "bangtin_kiosks_online 0.0" in body
    assert "bangtin_alerts_active 0.0" in body and "bangtin_feedback_open 0.0" in body
    assert 'bangtin_http_requests_total{method="GET",status="200"}' in body


def _pragmas(connection) -> tuple:
    return tuple(connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                 for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous"))


def test_sqlite_pragmas_reach_the_apps_own_engine_only(tmp_path):
    from sqlalchemy import create_engine, event

    from kiosk_server import _sqlite_pragmas
    from kiosk_server.extensions import db
    from tests.conftest import test_config

    apps = [create_app(test_config(tmp_path / name), instance_path=str(tmp_path / name)) for name in ("a", "b")]
    for app in apps:
        with app.app_context(), db.engine.connect() as connection:
            assert event.contains(db.engine, "connect", _sqlite_pragmas)
            assert _pragmas(connection) == ("wal", 1, 5000, 1)  # synchronous 1 is NORMAL

    # Importing the package and building two apps left every other engine as SQLAlchemy made it.
    other = create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    with other.connect() as connection:
        journal_mode, foreign_keys, _busy_timeout, synchronous = _pragmas(connection)
        assert (journal_mode, foreign_keys, synchronous) == ("delete", 0, 2)
    other.dispose()


def test_an_apps_message_queue_does_not_carry_over_to_the_next_app(tmp_path):
    from socketio import PubSubManager

    from kiosk_server.extensions import socketio
    from tests.conftest import test_config

    create_app(test_config(tmp_path / "a", REDIS_URL="redis://127.0.0.1:1/0", REDIS_NAMESPACE="test"),
               instance_path=str(tmp_path / "a"))
    assert isinstance(socketio.server.manager, PubSubManager)
    create_app(test_config(tmp_path / "b"), instance_path=str(tmp_path / "b"))
    assert not isinstance(socketio.server.manager, PubSubManager)
