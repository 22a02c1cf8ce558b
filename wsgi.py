"""Entry point: gevent's monkey-patching first, then the app. `python wsgi.py` serves."""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import socket  # noqa: E402

from gevent import pywsgi  # noqa: E402

from kiosk_server import create_app  # noqa: E402

# Explicit, not guessed: eventlet is deprecated and Flask-SocketIO would pick it if installed.
app = create_app({"SOCKETIO_ASYNC_MODE": "gevent"})


def main() -> None:
    from kiosk_server.tasks import start_background_tasks

    start_background_tasks(app)
    host, _, port = app.config["BIND"].rpartition(":")
    listener = socket.create_server((host or "127.0.0.1", int(port)), backlog=2048)
    # Without TCP_NODELAY a keep-alive response written in two pieces waits ~40 ms for the client's
    # delayed ACK (Nagle): kiosks and browsers keep connections alive. Accepted sockets inherit it.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    log = "default" if os.environ.get("KIOSK_ACCESS_LOG") == "1" else None
    server = pywsgi.WSGIServer(listener, app, log=log)
    print(f"Bảng tin điện tử đang chạy tại http://{app.config['BIND']}/ (dừng: Ctrl+C)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
