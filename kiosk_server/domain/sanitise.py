"""Rich text of notices: the few tags officers need, and nothing a browser could run."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
LINK_SCHEMES = {"http", "https", "mailto", "tel"}
# Removed together with their content: their text is code or styling, never words for the reader.
DROP_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "noscript"}

_TAG = re.compile(r"<[^>]+>")
# Text counts as HTML only when it uses a tag we know; "<hai>" in a sentence stays words.
_KNOWN_TAG = re.compile(r"</?(p|br|strong|b|em|i|u|ul|ol|li|a|h[1-6]|blockquote|div|span|script|style)\b", re.I)
_SPACE = re.compile(r"\s+")


def clean_body(raw: str) -> str:
    """Return `raw` HTML keeping paragraphs, emphasis, lists and http(s)/mailto/tel links only.

    Plain text (no tags) is turned into paragraphs, so officers may paste text from a document.
    """
    raw = (raw or "").strip()
    if raw and not _KNOWN_TAG.search(raw):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", raw) if p.strip()]
        raw = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def plain_text(body_html: str) -> str:
    """Return the words of `body_html` without tags, entities decoded, spaces collapsed."""
    text = _TAG.sub(" ", body_html or "")
    return _SPACE.sub(" ", html.unescape(text)).strip()


def is_safe_url(url: str, schemes: frozenset[str] = frozenset({"http", "https"})) -> bool:
    """Return True when `url` is an absolute URL of an allowed scheme with a host (no javascript:)."""
    if not url or len(url) > 2000 or any(c in url for c in "\x00\r\n\t <>\"'"):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in schemes and bool(parts.hostname)
