"""The summary report's figures on a small data set (tests/report_helpers.py), and its scope."""

from __future__ import annotations

import pytest

from kiosk_server.domain import reports as rules
from kiosk_server.services.core.errors import NotFound, ValidationFailed
from kiosk_server.services.reports import reports
from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE
from tests.report_helpers import NOW, seed

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

H1 = rules.half_year(2026, 1)


@pytest.fixture
def seeded(app, officers):
    return seed(officers["editor"].id)


def test_commune_figures_for_the_first_half_year(seeded, officers):
    summary = reports.summary(officers["commune_admin"], COMMUNE, H1, now=NOW)

    assert summary["unit"] == {"code": COMMUNE, "name": "Phường Minh Xuân", "level": "commune"}
    assert summary["period"]["from"] == "2026-01-01" and summary["period"]["to"] == "2026-06-30"
    assert summary["notices"]["published"] == 3
    assert {c["code"]: c["count"] for c in summary["notices"]["by_category"]} == {"local": 2, "disaster": 1}
    assert {p["code"]: p["count"] for p in summary["notices"]["by_priority"]} == {"normal": 1, "priority": 1, "emergency": 1}
    assert summary["screens"] == {"installed": 2, "seen": 2}
    assert summary["feedback"] == {"received": 3, "answered": 2, "overdue": 1, "median_answer_seconds": 3 * 86400,
                                   "due_days": 10}
    assert summary["qr"] == {"scans": 0, "national_links_scans": 0, "scans_total": 7, "national_links_scans_total": 7,
                             "per_period": True, "counted_since": None}


def test_replayed_played_batch_counts_once_and_period_edges_are_local_days(seeded, officers):
    plays = reports.summary(officers["commune_admin"], COMMUNE, H1, now=NOW)["plays"]

    # 30 + 45 s on 01/02 and 20 s in the last minute of 30/06; not 31/12/2025 nor 01/07, and the resent batch once.
    assert plays == {"plays": 3, "seconds": 95.0, "hours": 0.0, "screens": 1}


def test_alert_delivery_counts_the_screens_of_the_unit_in_the_area(seeded, officers):
    commune = reports.summary(officers["commune_admin"], COMMUNE, H1, now=NOW)["alerts"]
    province = reports.summary(officers["province_admin"], PROVINCE, H1, now=NOW)["alerts"]

    # The province's alert covers the commune; of its two screens then, one acknowledged after 30 s.
    assert (commune["raised"], commune["screens"], commune["acknowledged"]) == (1, 2, 1)
    assert commune["share"] == 0.5 and commune["median_ack_seconds"] == 30.0
    assert commune["items"][0]["headline"] == "Lũ trên sông Lô"
    # The province adds the sibling commune's screen (acknowledged after 90 s); Cao Bằng's alert is not its own.
    assert (province["raised"], province["screens"], province["acknowledged"]) == (1, 3, 2)
    assert province["share"] == 0.6667 and province["median_ack_seconds"] == 60.0


def test_province_adds_up_its_communes(seeded, officers):
    summary = reports.summary(officers["province_admin"], PROVINCE, H1, now=NOW)

    assert summary["notices"]["published"] == 4
    assert summary["plays"]["plays"] == 4 and summary["plays"]["seconds"] == 155.0
    assert summary["screens"]["installed"] == 3


def test_whole_year_takes_july_too(seeded, officers):
    summary = reports.summary(officers["commune_admin"], COMMUNE, rules.whole_year(2026), now=NOW)

    assert summary["notices"]["published"] == 4
    assert summary["plays"]["plays"] == 4
    assert summary["feedback"]["received"] == 4


def test_unit_outside_scope_is_not_found(seeded, officers):
    with pytest.raises(NotFound):
        reports.summary(officers["commune_admin"], PROVINCE, H1, now=NOW)
    with pytest.raises(NotFound):
        reports.summary(officers["province_admin"], OTHER_COMMUNE, H1, now=NOW)
    with pytest.raises(NotFound):
        reports.summary(officers["province_admin"], "99999", H1, now=NOW)


def test_national_officer_reads_any_unit(seeded, officers):
    assert reports.summary(officers["national"], OTHER_COMMUNE, H1, now=NOW)["notices"]["published"] == 1


def test_bad_periods_name_their_field(app):
    with pytest.raises(ValidationFailed) as reversed_:
        reports.read_period("30/06/2026", "01/01/2026")
    assert "to" in reversed_.value.fields
    with pytest.raises(ValidationFailed) as garbled:
        reports.read_period("31/02/2026", "01/03/2026")
    assert "from" in garbled.value.fields
    with pytest.raises(ValidationFailed):
        reports.read_period("01/01/2020", "01/01/2026")
    with pytest.raises(ValidationFailed):
        reports.read_period(None, None, "2026-H3")
    assert reports.read_period("01/01/2026", "2026-06-30") == H1
    assert reports.read_period(None, None, now=NOW) == rules.half_year(2026, 2)
