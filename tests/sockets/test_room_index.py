"""Our Socket.IO managers keep each connection's rooms: same room table as python-socketio's, no scan.

The same random connects, joins, leaves, room closes and disconnects are run on the stock manager and on
ours; after every step both have the same room table, and ours answers `get_rooms` the same way.
"""

from __future__ import annotations

import itertools
import random

import socketio

from kiosk_server.sockets.managers import IndexedRooms, Manager

NAMESPACES = ("/kiosk", "/admin")


def _managers() -> tuple[socketio.Manager, Manager]:
    stock, ours = socketio.Manager(), Manager()
    for manager in (stock, ours):
        server = socketio.Server(client_manager=manager, async_mode="threading")  # the manager's server now
        numbers = itertools.count()
        server.eio.generate_id = lambda numbers=numbers: f"sid{next(numbers)}"  # both name connections alike
    return stock, ours


def _tables_equal(stock, ours) -> None:
    def table(manager):
        return {ns: {room: dict(members) for room, members in rooms.items()} for ns, rooms in manager.rooms.items()}

    assert table(ours) == table(stock)
    def waiting(manager):  # the acks each connection waits for (key 0 holds the id counter)
        return {sid: {k: v for k, v in acks.items() if k != 0} for sid, acks in manager.callbacks.items()}

    assert (waiting(ours), ours.pending_connect, ours.pending_disconnect) == (
        waiting(stock), stock.pending_connect, stock.pending_disconnect)


def test_a_random_life_of_connections_leaves_the_same_rooms_as_the_stock_manager():
    randomness = random.Random(22)
    stock, ours = _managers()
    connected: list[tuple[str, str]] = []  # (namespace, sid) as the managers named them
    rooms = [f"kiosk:{n}" for n in range(30)] + [f"unit:{n}" for n in range(5)]
    for step in range(3000):
        action = randomness.random()
        if action < 0.3 or not connected:
            namespace, eio_sid = randomness.choice(NAMESPACES), f"eio{step}"
            sids = {manager.connect(eio_sid, namespace) for manager in (stock, ours)}
            assert len(sids) == 1  # both name it alike
            connected.append((namespace, sids.pop()))
        elif action < 0.6:
            namespace, sid = randomness.choice(connected)
            room = randomness.choice(rooms)
            for manager in (stock, ours):
                manager.enter_room(sid, namespace, room)
        elif action < 0.75:
            namespace, sid = randomness.choice(connected)
            room = randomness.choice(rooms)
            for manager in (stock, ours):
                manager.leave_room(sid, namespace, room)
        elif action < 0.78:
            namespace, room = randomness.choice(NAMESPACES), randomness.choice(rooms)
            for manager in (stock, ours):
                manager.close_room(room, namespace)
        elif action < 0.82:
            namespace, sid = randomness.choice(connected)
            for manager in (stock, ours):
                manager._generate_ack_id(sid, print)  # an emit waiting for the client's answer
        else:
            namespace, sid = connected.pop(randomness.randrange(len(connected)))
            ending = randomness.random() < 0.5  # the server's own order: pre_disconnect, handler, disconnect
            for manager in (stock, ours):
                if ending:
                    manager.pre_disconnect(sid, namespace)
                manager.disconnect(sid, namespace)
        _tables_equal(stock, ours)
        if connected:
            namespace, sid = randomness.choice(connected)
            assert sorted(ours.get_rooms(sid, namespace)) == sorted(stock.get_rooms(sid, namespace))
    assert set(ours._joined) == set(connected), "the index keeps a disconnected connection, or lost one"


def test_the_app_uses_our_manager(app):
    from kiosk_server.extensions import socketio as flask_socketio

    assert isinstance(flask_socketio.server.manager, IndexedRooms)
