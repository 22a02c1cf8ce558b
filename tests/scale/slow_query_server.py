"""`python -m tests.scale.slow_query_server`: the real server, plus greenlets running slow queries.

Started by tests/scale/test_gevent_psycopg.py. Each greenlet runs `SELECT pg_sleep(2)` in a loop
through the app's own engine while `wsgi.main()` serves, so the test can show that a query waiting
on PostgreSQL leaves the gevent hub free to answer screens (psycopg 3 yields once monkey-patched).
"""

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402
from sqlalchemy import text  # noqa: E402

import wsgi  # noqa: E402
from kiosk_server.extensions import db  # noqa: E402

SLOW_GREENLETS = 4


def _slow_forever() -> None:
    while True:
        with wsgi.app.app_context():
            db.session.execute(text("SELECT pg_sleep(2)"))
            db.session.commit()
            db.session.remove()


if __name__ == "__main__":
    for _ in range(SLOW_GREENLETS):
        gevent.spawn(_slow_forever)
    wsgi.main()
