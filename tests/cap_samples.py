"""CAP 1.2 messages built in the tests (no files committed)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

VN = timezone(timedelta(hours=7))


def stamp(dt: datetime) -> str:
    return dt.astimezone(VN).replace(microsecond=0).isoformat()


def cap_message(identifier: str = "TQ-2026-001", *, msg_type: str = "Alert", status: str = "Actual",
                units: tuple[str, ...] = ("02215",), expires: datetime | None = None, references: str | None = None,
                hazard: str = "flash_flood", level: str | None = "4", extra_info: str = "", severity: str = "Severe",
                namespace: str = "urn:oasis:names:tc:emergency:cap:1.2", headline: str = "Cảnh báo lũ quét") -> str:
    now = datetime.now(VN)
    expires = expires or now + timedelta(hours=6)
    geocodes = "".join(f"<geocode><valueName>unit_code</valueName><value>{u}</value></geocode>" for u in units)
    refs = f"<references>{references}</references>" if references else ""
    level_xml = f"<parameter><valueName>risk_level</valueName><value>{level}</value></parameter>" if level else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="{namespace}">
  <identifier>{identifier}</identifier>
  <sender>canhbao@tuyenquang.gov.vn</sender>
  <sent>{stamp(now)}</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  {refs}
  <info>
    <language>vi-VN</language>
    <category>Met</category>
    <event>Lũ quét</event>
    <urgency>Immediate</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>hazard</valueName><value>{hazard}</value></eventCode>
    <expires>{stamp(expires)}</expires>
    <headline>{headline}</headline>
    <description>Mưa lớn gây nguy cơ lũ quét tại các khe suối.</description>
    <instruction>Không đi qua ngầm, tràn; di chuyển lên vùng cao.</instruction>
    {level_xml}
    <area><areaDesc>Phường Minh Xuân</areaDesc>{geocodes}</area>
  </info>
  {extra_info}
</alert>""".strip()


KHMER_INFO = """<info>
    <language>km</language>
    <category>Met</category>
    <event>ទឹកជំនន់</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <headline>ការព្រមានទឹកជំនន់</headline>
    <area><areaDesc>Minh Xuan</areaDesc></area>
  </info>"""
