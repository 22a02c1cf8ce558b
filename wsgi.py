"""Entry point: gevent's monkey-patching first, then the app. `python wsgi.py` serves."""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402

from kiosk_server import create_app  # noqa: E402
from kiosk_server.extensions import socketio  # noqa: E402

# Explicit, not guessed: eventlet is deprecated and Flask-SocketIO would pick it if installed.
app = create_app({"SOCKETIO_ASYNC_MODE": "gevent"})


def main() -> None:
    host, _, port = app.config["BIND"].rpartition(":")
    print(f"Bảng tin điện tử đang chạy tại http://{app.config['BIND']}/ (dừng: Ctrl+C)", flush=True)
    socketio.run(app, host=host or "127.0.0.1", port=int(port), log_output=os.environ.get("KIOSK_ACCESS_LOG") == "1")


if __name__ == "__main__":
    main()
