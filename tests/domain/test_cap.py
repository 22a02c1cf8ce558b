"""Reading CAP 1.2 safely: hostile XML, wrong namespaces and schema errors are named, never expanded."""

from datetime import datetime, timedelta

import pytest

from kiosk_server.domain import cap
from tests.cap_samples import KHMER_INFO, VN, cap_message


def test_a_valid_message_is_read():
    message = cap.parse(cap_message(extra_info=KHMER_INFO).encode())
    assert (message.identifier, message.status, message.msg_type) == ("TQ-2026-001", "Actual", "Alert")
    vi, km = message.infos
    assert vi.unit_codes == ["02215"] and vi.event_codes == {"hazard": "flash_flood"}
    assert vi.parameters == {"risk_level": "4"} and vi.expires.tzinfo is not None
    assert km.language == "km" and km.headline == "ការព្រមានទឹកជំនន់"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol3;</identifier></alert>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, XXE])
def test_entities_and_dtds_are_refused_before_any_expansion(hostile):
    with pytest.raises(cap.CapError, match="DTD"):
        cap.parse(hostile)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "trống"),
        (b"<alert", "XML không đọc được"),
        (b"not xml at all", "XML không đọc được"),
        (cap_message(namespace="urn:oasis:names:tc:emergency:cap:1.1").encode(), "không gian tên"),
        (cap_message().replace("<status>Actual</status>", "<status>Real</status>").encode(), "lược đồ CAP 1.2"),
        (cap_message().replace("<sender>canhbao@tuyenquang.gov.vn</sender>", "").encode(), "lược đồ CAP 1.2"),
        (b"<x/>" * 200_000, "lớn quá"),
    ],
)
def test_malformed_messages_name_the_problem(data, words):
    with pytest.raises(cap.CapError) as error:
        cap.parse(data)
    assert words in error.value.message


def test_what_we_build_is_valid_cap():
    now = datetime.now(VN)
    document = cap.build({
        "identifier": "bangtin-1", "sender": "bangtin@example.vn", "sent": now, "status": "Actual",
        "msg_type": "Alert", "references": [],
        "infos": [{"language": "vi-VN", "category": "Met", "event": "Lũ quét", "urgency": "Immediate",
                   "severity": "Severe", "certainty": "Likely", "hazard": "flash_flood", "effective": None,
                   "expires": now + timedelta(hours=2), "sender_name": "UBND phường", "headline": "Lũ quét",
                   "description": "", "instruction": "Lên vùng cao", "level": 4, "unit_codes": ["02215"],
                   "area_desc": "Phường Minh Xuân"}],
    })
    assert cap.validate_document(document) == []
    again = cap.parse(document)
    assert again.infos[0].unit_codes == ["02215"] and again.infos[0].parameters == {"risk_level": "4"}
