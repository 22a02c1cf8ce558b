"""A screen's day timeline: what its manifest plays when, its playlists as blocks, drawn on the server as an SVG picture."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from kiosk_server.domain import schedule, timeline
from kiosk_server.extensions import db
from kiosk_server.models import Alert, Kiosk
from kiosk_server.models.base import utcnow
from kiosk_server.services.content import playlists
from kiosk_server.services.read_models import lookup, manifest
from kiosk_server.web import paging
from kiosk_server.web.admin.access import permission_required
from kiosk_server.web.admin.editor_fields import DAY_NAMES
from kiosk_server.web.admin.notice_forms import PRIORITY_LABELS

# The picture's coordinate system (SVG user units): the day runs from CHART_X to CHART_X + CHART_W.
VIEW_W = 960
CHART_X = 12.0
CHART_W = 936.0
HEAD_H = 52
ROW_H = 60
BAR_DY = 28
BAR_H = 22
FOOT_H = 10
TITLE_CHARS = 90


def x_of(fraction: float) -> float:
    """Return the x coordinate of a moment `fraction` of the way through the day."""
    return round(CHART_X + CHART_W * fraction, 2)


def _bar(span: timeline.Span, day: timeline.DayTimeline) -> dict:
    left = x_of(timeline.fraction_of_day(span.start, day))
    right = x_of(timeline.fraction_of_day(span.end, day))
    return {"x": left, "w": round(right - left, 2), "label": span.label}


def chart(day: timeline.DayTimeline, now: datetime | None) -> dict:
    """Return the geometry the template draws: ticks, rows with bars, emergency bands and the "now" line."""
    rows = []
    # Playlists first: while one runs, its order is what the screen follows.
    for index, row in enumerate((*day.blocks, *day.rows)):
        title = row.title if len(row.title) <= TITLE_CHARS else row.title[: TITLE_CHARS - 1] + "…"
        rows.append({
            "row": row, "y": HEAD_H + index * ROW_H, "title": title, "block": isinstance(row, timeline.Block),
            "bars": [_bar(s, day) for s in row.segments], "cuts": [_bar(s, day) for s in row.interrupted],
        })
    height = HEAD_H + max(1, len(rows)) * ROW_H + FOOT_H
    ticks = [{"x": x_of(hour / 24), "hour": hour, "label": f"{hour:02d}:00", "major": hour % 2 == 0}
             for hour in range(25)]
    marker = None
    if now is not None and day.start <= now < day.end:
        marker = {"x": x_of(timeline.fraction_of_day(now, day)), "label": f"{now.astimezone(schedule.VN):%H:%M}"}
    return {
        "width": VIEW_W, "height": height, "left": CHART_X, "right": CHART_X + CHART_W, "head": HEAD_H,
        "row_h": ROW_H, "bar_dy": BAR_DY, "bar_h": BAR_H, "ticks": ticks, "rows": rows, "now": marker,
        "bands": [_bar(s, day) for s in day.interruptions],
    }


def alert_items(alerts: list[dict]) -> Iterator[dict]:
    """Return the manifest's emergency alerts as timeline items: they take the screen from effect to expiry.

    An alert without `effective_at` took effect when it was sent, which the screen's payload leaves out.
    """
    if not alerts:
        return
    ids = [alert["id"] for alert in alerts]
    sent = dict(db.session.execute(select(Alert.id, Alert.sent_at).where(Alert.id.in_(ids))).all())
    for alert in alerts:
        starts_at = alert.get("effective_at")
        if not starts_at and sent.get(alert["id"]):
            starts_at = sent[alert["id"]].astimezone(schedule.VN).isoformat()
        yield {
            "id": f"a{alert['id']}",
            "priority": schedule.EMERGENCY,
            "duration_s": 1.0,
            "sort_key": ["", alert["id"]],  # before emergency notices, whose keys start with the approval time
            "rules": {"starts_at": starts_at, "ends_at": alert["expires_at"], "days": [], "hours": []},
            "title": _("Cảnh báo cấp %(level)s: %(headline)s", level=alert.get("level"), headline=alert.get("headline")),
        }


@permission_required("read")
def kiosk_timeline(kiosk_id: int):
    kiosk = lookup.get_visible(Kiosk, kiosk_id, current_user)
    now = utcnow()
    today = now.astimezone(schedule.VN).date()
    day, date_error = today, None
    if request.args.get("date"):
        try:
            day = paging.parse_day(request.args["date"])
        except ValueError:
            date_error = _("Ngày không hợp lệ; đang hiển thị hôm nay.")
    start, _end = timeline.day_bounds(day)
    # The manifest leaves out what has ended; built as of the day's start, it keeps what ran that day.
    data = manifest.build_manifest(kiosk, now=min(now, start))
    day_line = timeline.day_segments([*data["items"], *alert_items(data.get("alerts") or [])], day,
                                     data.get("playlists") or [])
    notice_ids = {item["id"]: item["notice_id"] for item in data["items"]}
    playlist_ids = {p["id"]: int(p["id"][1:]) for p in data.get("playlists") or []}
    return render_template(
        "admin/timeline.html", kiosk=kiosk, day=day, today=today, date_error=date_error, timeline=day_line,
        chart=chart(day_line, now), notice_ids=notice_ids, playlist_ids=playlist_ids, priority_labels=PRIORITY_LABELS,
        mode_labels=playlists.MODE_LABELS,
        day_name=DAY_NAMES[day.isoweekday()], previous=day - timedelta(days=1), following=day + timedelta(days=1),
    )
