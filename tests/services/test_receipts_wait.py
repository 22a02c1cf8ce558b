"""A receipt waits for its batch: never with the caller's transaction (and its pooled connection) held."""

import pytest
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import Kiosk
from kiosk_server.services.alerts import receipts
from tests.conftest import COMMUNE


def test_waiting_for_the_batch_with_a_transaction_open_is_refused(app):
    app.config["ACK_BATCH_SECONDS"] = 60
    db.session.scalar(select(Kiosk.id))  # the caller is in a transaction now
    with pytest.raises(RuntimeError, match="end the caller's transaction"):
        receipts.record_ack(1, 1, COMMUNE)
    assert receipts._pending == {}, "nothing was queued"
