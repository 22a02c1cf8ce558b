"""Proof of play for playlists: a media item is counted by the media's content hash, a notice item as the notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import Media, PlayRecord
from kiosk_server.models.base import utcnow
from kiosk_server.services.reports import plays
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


def test_a_playlist_media_item_is_recorded_with_the_medias_content_hash(officers):
    media = Media(unit_code=COMMUNE, sha256="ab" * 32, kind="video", mime="video/webm", size_bytes=1)
    db.session.add(media)
    db.session.commit()
    screen = kiosks.provision_kiosk("Nhà văn hóa tổ 5", COMMUNE, [], actor="test")[0].id
    started = (utcnow() - timedelta(minutes=3)).isoformat()

    stored = plays.record_played(screen, [{"item": f"m{media.id}", "started_at": started, "duration_s": 42},
                                          {"item": "m999999", "started_at": started, "duration_s": 5}])

    assert stored == 2
    rows = {r.item: r for r in db.session.scalars(select(PlayRecord))}
    assert rows[f"m{media.id}"].content_hash == "ab" * 32
    assert rows[f"m{media.id}"].notice_id is None
    assert rows["m999999"].content_hash is None, "a media item no longer known is stored, unhashed"
