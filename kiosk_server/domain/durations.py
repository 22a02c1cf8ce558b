"""How long an item stays on screen when the officer does not say."""

from __future__ import annotations

# Reading from three metres is slower than reading a page: about 2.5 words a second, plus time to
# notice the screen changed. Bounds keep a one-line notice readable and a long one from hogging.
WORDS_PER_SECOND = 2.5
LEAD_IN_S = 4.0
MIN_TEXT_S = 8.0
MAX_TEXT_S = 90.0
IMAGE_S = 10.0
PDF_PAGE_S = 12.0
MAX_DURATION_S = 3600.0


def reading_time_s(text: str) -> float:
    """Return the seconds a passer-by needs to read `text`, clamped to [8, 90]."""
    words = len((text or "").split())
    return round(min(MAX_TEXT_S, max(MIN_TEXT_S, LEAD_IN_S + words / WORDS_PER_SECOND)), 1)


def default_duration_s(text: str, media: list[dict]) -> float:
    """Return a notice's display time: its videos' length, else its images/pages, else reading time.

    `media` holds playable entries (`kind` image or video, videos with `duration_s`).
    """
    videos = [m.get("duration_s") or 0 for m in media if m.get("kind") == "video"]
    if videos:
        return round(min(MAX_DURATION_S, sum(videos)), 1)
    images = [m for m in media if m.get("kind") == "image"]
    if images:
        per = PDF_PAGE_S if any(m.get("page") for m in images) else IMAGE_S
        return round(max(reading_time_s(text), per * len(images)), 1)
    return reading_time_s(text)


def item_duration_s(chosen: float | None, text: str, media: list[dict]) -> float:
    """Return an item's display time: what the officer `chosen`, else `default_duration_s(text, media)`.

    A notice and a playlist's media item both take their time this way.
    """
    return chosen or default_duration_s(text, media)
