"""A playlist's items as one officer sees them: each notice and media item described through the scoped lookup.

The editor's rows, the playlist's page and the API all describe items here, so an item the officer may
not open (another unit's notice or file, however it got into the playlist) reads as "#id" and nothing
else: no title, no file name, no /media/ address, no status.
"""

from __future__ import annotations

from kiosk_server.models import Media, Notice, Playlist, User
from kiosk_server.services.content import playlists, workflow
from kiosk_server.services.read_models import lookup


def describe_items(items: list[dict], actor: User) -> list[dict]:
    """Return `items` with what `actor` may see of each (title, kind, thumbnail, seconds, whether it plays)."""
    notices = lookup.visible_rows(Notice, [i["notice_id"] for i in items if "notice_id" in i], actor)
    media = lookup.visible_rows(Media, [i["media_id"] for i in items if "media_id" in i], actor)
    return playlists.describe_items(items, notices, media)


def playlist_json(playlist: Playlist, actor: User) -> dict:
    """Return the playlist as the API shows it to `actor`: the head's content, workflow facts and the loop's length."""
    content = playlists.head(playlist).content
    items = describe_items(content["items"], actor)
    return {
        **workflow.facts_json(playlist),
        "name": content["name"],
        "mode": content["mode"],
        "priority": content["priority"],
        "items": items,
        "loop_s": playlists.loop_seconds(items),
        "targets": content["targets"],
        **content["rules"],
    }
