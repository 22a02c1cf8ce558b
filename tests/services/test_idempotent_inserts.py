"""Rows several processes may create at once: the database keeps one, nobody gets an error."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import QrCode
from kiosk_server.services import links
from tests.conftest import make_app

BUILDERS = 8


def _build_at_once(app, target: str) -> tuple[set[str], list[BaseException]]:
    """Build the QR URL of `target` from several threads released together, as manifests after a publish."""
    start = threading.Barrier(BUILDERS)
    urls: set[str] = set()
    errors: list[BaseException] = []

    def build() -> None:
        with app.app_context():
            try:
                start.wait()
                urls.add(links.qr_url(target))
            except BaseException as error:  # the test reports whatever a builder met
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=build) for _ in range(BUILDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return urls, errors


def _check(app, target: str) -> None:
    urls, errors = _build_at_once(app, target)
    assert errors == []
    assert len(urls) == 1, "every builder reads back the one code the database kept"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QrCode).where(QrCode.url == target)) == 1
        db.session.remove()
        db.engine.dispose()


def test_concurrent_manifest_builds_share_one_qr_code_on_sqlite(tmp_path):
    _check(make_app(tmp_path, PUBLIC_URL="https://bangtin.example.vn"), "https://dichvucong.gov.vn/x")


@pytest.mark.postgres
def test_concurrent_manifest_builds_share_one_qr_code_on_postgresql(tmp_path, postgres_url):
    _check(make_app(tmp_path, PUBLIC_URL="https://bangtin.example.vn", DATABASE_URL=postgres_url),
           "https://dichvucong.gov.vn/y")
