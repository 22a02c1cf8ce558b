"""Socket.IO namespaces: /kiosk for screens, /admin for officers watching them."""

from flask_socketio import SocketIO


def register_namespaces(socketio: SocketIO) -> None:
    from kiosk_server.sockets.admin import AdminNamespace
    from kiosk_server.sockets.kiosk import KioskNamespace

    # The SocketIO object outlives an app (tests build many): register the handlers once.
    if any(handler.namespace == "/kiosk" for handler in socketio.namespace_handlers):
        return
    socketio.on_namespace(KioskNamespace("/kiosk"))
    socketio.on_namespace(AdminNamespace("/admin"))
