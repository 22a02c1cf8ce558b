"""Socket.IO client managers that know each connection's rooms, so a disconnect costs its own rooms.

python-socketio's managers find the rooms of a disconnecting connection by copying the namespace's
whole room table and testing every room (`BaseManager.basic_disconnect`, `get_rooms`). Every screen
has a room of its own (`kiosk:<id>`) besides the one per connection, so at 10,000 screens a single
disconnect walked some 20,000 rooms, and a reconnect storm (a whole province after a power cut or a
server restart) was quadratic: 10,000 disconnects × 20,000 rooms. In a fan-out benchmark run where
clients dropped, this scan had 18 % of the server's samples (bench/README.md, issue 22). Here each
connection's rooms are kept beside the table, in step with every enter and leave; the table itself,
which emits read, is unchanged.
"""

from __future__ import annotations

import socketio


class IndexedRooms:
    """A mixin for a python-socketio manager: rooms per (namespace, sid), kept with the room table."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._joined: dict[tuple[str, str], set] = {}

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._joined.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        joined = self._joined.get((namespace, sid))
        if joined is not None:
            joined.discard(room)
            if not joined:
                del self._joined[(namespace, sid)]

    def basic_disconnect(self, sid, namespace, **kwargs):
        # python-socketio 5.18's method with its scan of every room replaced by the index (which names
        # the connection's own room and the `None` room of connected clients too). The rest is its
        # bookkeeping as it is; tests/sockets/test_room_index.py compares both managers' state.
        for room in list(self._joined.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            if sid in pending.get(namespace, ()):
                pending[namespace].remove(sid)
                if not pending[namespace]:
                    del pending[namespace]

    def get_rooms(self, sid, namespace):
        return [room for room in self._joined.get((namespace, sid), ()) if room is not None]


class Manager(IndexedRooms, socketio.Manager):
    """One process alone."""


class RedisManager(IndexedRooms, socketio.RedisManager):
    """Processes sharing Redis as their message queue."""
