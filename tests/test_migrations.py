"""Migrations build the whole schema from an empty database, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from kiosk_server import create_app
from kiosk_server.extensions import db
from tests.conftest import test_config


def _migrated_app(tmp_path, url):
    app = create_app(test_config(tmp_path, DATABASE_URL=url), instance_path=str(tmp_path / "instance"))
    with app.app_context():
        upgrade()
    return app


def _schema_drift(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        return compare_metadata(context, db.metadata)


def _exercise(app) -> None:
    """Write through the migrated schema: the real use cases, not just table existence."""
    with app.app_context():
        from kiosk_server.services.content import notices
        from kiosk_server.services.core import tokens, units, users
        from kiosk_server.services.read_models import manifest
        from kiosk_server.services.screens import kiosks

        units.import_units("08", actor="test")
        admin = users.create_user("a@example.vn", "mat-khau-dai-1", "admin", "08", actor="test")
        approver = users.create_user("b@example.vn", "mat-khau-dai-1", "approver", "08", actor="test")
        tokens.create_token(admin, "t", actor=admin)
        kiosk, _ = kiosks.provision_kiosk("Màn hình", "02215", ["Trụ sở"], actor=admin)
        # The migration seeded the categories; a notice uses one, goes through approval, reaches the kiosk.
        notice = notices.create_notice({"title": "Thông báo", "unit_code": "08", "category": "disaster",
                                        "hours": [["07:00", "11:30"]], "days": [1, 2]}, admin)
        notices.submit(notice, admin)
        notices.approve(notice, approver)
        db.session.refresh(kiosk)
        items = manifest.build_manifest(kiosk)["items"]
        assert [i["title"] for i in items] == ["Thông báo"]
        assert items[0]["rules"]["hours"] == [["07:00", "11:30"]]
        db.session.remove()


def test_sqlite_upgrade_from_empty_matches_the_models(tmp_path):
    app = _migrated_app(tmp_path, f"sqlite:///{tmp_path / 'm.db'}")
    assert _schema_drift(app) == []
    _exercise(app)
    with app.app_context():
        downgrade(revision="base")
        tables = db.session.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars().all()
        assert set(tables) <= {"alembic_version"}


@pytest.fixture
def migrated_postgres(tmp_path, postgres_url):
    """An app on this test's own PostgreSQL database, migrated from empty; its engine disposed after the test, passed
    or failed (see `postgres_app`)."""
    app = _migrated_app(tmp_path, postgres_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
def test_postgres_upgrade_from_empty_matches_the_models(migrated_postgres):
    app = migrated_postgres
    assert _schema_drift(app) == []
    _exercise(app)
    with app.app_context():
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("UPDATE audit_log SET action = 'forged'"))
        db.session.rollback()
        assert db.session.execute(text("SELECT count(*) FROM audit_log")).scalar() > 0


def test_play_log_upgrade_keeps_one_row_per_play_and_counts_the_days(tmp_path):
    """Plays stored twice by racing sessions before the unique key are removed; daily figures count the rest."""
    app = create_app(test_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}"),
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0009_play_log")
        from kiosk_server.services.core import units
        from kiosk_server.services.screens import kiosks

        units.import_units("08", actor="test")
        kiosk_id = kiosks.provision_kiosk("Màn hình", "02215", [], actor="test")[0].id
        play = ("INSERT INTO play_records (kiosk_id, item, started_at, duration_s, recorded_at) "
                "VALUES (:k, :item, :at, :s, :at)")
        for item, at, seconds in [("n1", "2026-03-01 16:59:00.000000", 30), ("n1", "2026-03-01 16:59:00.000000", 30),
                                  ("n1", "2026-03-01 17:00:00.000000", 15), ("links", "2026-03-01 16:59:00.000000", 5)]:
            db.session.execute(text(play), {"k": kiosk_id, "item": item, "at": at, "s": seconds})
        db.session.commit()
        db.session.remove()

        upgrade()

        assert db.session.execute(text("SELECT count(*) FROM play_records")).scalar() == 3
        days = db.session.execute(text("SELECT day, plays, seconds FROM play_days ORDER BY day")).all()
        # 16:59 UTC is 23:59 in Viet Nam, 17:00 UTC the next day's first minute.
        assert [tuple(row) for row in days] == [("2026-03-01", 2, 35.0), ("2026-03-02", 1, 15.0)]
        db.session.remove()
        db.engine.dispose()
