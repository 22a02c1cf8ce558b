"""Reading what a source serves: an RSS 2.0 or Atom feed, or one CAP 1.2 document, safely.

defusedxml parses first with DTDs, entities and external references refused, as for CAP
(domain/cap.py), so a billion-laughs document or an XXE never reaches anything that would expand
or fetch it. Only the few fields a board needs are read: an id, a title, a link, a summary and,
for a CAP index (the Atom form national alert hubs publish), the link to each CAP document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from kiosk_server.domain import cap as cap_rules

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
MAX_ENTRIES = 50  # newest first; a feed with more is read again on the next poll


class FeedError(ValueError):
    """A document a source served that cannot be used; `message` says why in words an officer reads."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Entry:
    key: str  # the entry's id (guid, atom:id), else its link, else a hash of its title
    title: str
    link: str | None
    summary: str  # HTML or text as the feed gave it; sanitised where it becomes a notice
    published: datetime | None = None
    cap_link: str | None = None  # an index entry's link to a CAP document


@dataclass
class Document:
    kind: str  # cap | rss | atom
    title: str = ""
    entries: list[Entry] = field(default_factory=list)
    cap_identifier: str = ""


def read(data: bytes) -> Document:
    """Return what `data` holds: one CAP document (its identifier) or a feed's entries; raise FeedError."""
    if not data or not data.strip():
        raise FeedError("Nguồn trả về nội dung trống.")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FeedError("Tài liệu chứa DTD, thực thể hoặc tham chiếu ngoài; không được chấp nhận.") from None
    except SafeET.ParseError as error:
        raise FeedError(f"Nội dung không phải XML đọc được ({error}).") from None
    if root.tag == f"{{{cap_rules.NS}}}alert":
        identifier = _text(root.find(f"{{{cap_rules.NS}}}identifier"))
        return Document(kind="cap", cap_identifier=identifier or _digest(data))
    if root.tag == f"{{{ATOM}}}feed":
        return _atom(root)
    if root.tag == "rss":
        return _rss(root)
    raise FeedError("Nội dung không phải RSS 2.0, Atom hay CAP 1.2.")


def _text(node) -> str:
    return "".join(node.itertext()).strip() if node is not None else ""


def _digest(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _when(text: str) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed if parsed.tzinfo else None


def _key(*candidates: str | None) -> str:
    for value in candidates:
        if value and value.strip():
            return value.strip()[:500]
    return _digest("|".join(c or "" for c in candidates))


def _atom(root) -> Document:
    doc = Document(kind="atom", title=_text(root.find(f"{{{ATOM}}}title")))
    for node in root.findall(f"{{{ATOM}}}entry")[:MAX_ENTRIES]:
        link, cap_link = None, None
        for each in node.findall(f"{{{ATOM}}}link"):
            href = (each.get("href") or "").strip()
            if not href:
                continue
            if (each.get("type") or "").split(";")[0].strip() in (cap_rules.CONTENT_TYPE, "application/xml", "text/xml"):
                cap_link = cap_link or href
            elif each.get("rel", "alternate") == "alternate":
                link = link or href
        title = _text(node.find(f"{{{ATOM}}}title"))
        summary = _text(node.find(f"{{{ATOM}}}summary")) or _text(node.find(f"{{{ATOM}}}content"))
        published = _when(_text(node.find(f"{{{ATOM}}}published")) or _text(node.find(f"{{{ATOM}}}updated")))
        doc.entries.append(Entry(key=_key(_text(node.find(f"{{{ATOM}}}id")), link, title), title=title, link=link,
                                 summary=summary, published=published, cap_link=cap_link))
    return doc


def _rss(root) -> Document:
    channel = root.find("channel")
    if channel is None:
        raise FeedError("Tài liệu RSS thiếu phần <channel>.")
    doc = Document(kind="rss", title=_text(channel.find("title")))
    for node in channel.findall("item")[:MAX_ENTRIES]:
        link = _text(node.find("link")) or None
        enclosure = node.find("enclosure")
        cap_link = None
        if enclosure is not None and (enclosure.get("type") or "").startswith(cap_rules.CONTENT_TYPE):
            cap_link = (enclosure.get("url") or "").strip() or None
        title = _text(node.find("title"))
        summary = _text(node.find("description")) or _text(node.find(f"{{{CONTENT_NS}}}encoded"))
        doc.entries.append(Entry(key=_key(_text(node.find("guid")), link, title), title=title, link=link,
                                 summary=summary, published=_when(_text(node.find("pubDate"))), cap_link=cap_link))
    return doc
