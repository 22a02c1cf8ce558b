"""CAP 1.2 messages built in the tests (no files committed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

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


def make_signer(name: str):
    """Return (private key PEM, self-signed certificate PEM) for a CAP signer called `name`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def sign(text: str, key_pem: bytes, cert_pem: str) -> bytes:
    """Return the CAP message `text` with an enveloped XML signature."""
    root = etree.fromstring(text.encode())
    signed = XMLSigner().sign(root, key=key_pem, cert=cert_pem)
    return etree.tostring(signed)
