# gunicorn settings for one kiosk_server process: `gunicorn -c deploy/gunicorn.conf.py -b 127.0.0.1:8001 wsgi:app`
worker_class = "gevent"
workers = 1  # one process per core, several processes behind nginx; Socket.IO state is shared through Redis
graceful_timeout = 20


def post_worker_init(worker):
    # The expiry sweep runs in every serving process (each notice is claimed by one of them).
    from kiosk_server.tasks import start_background_tasks

    start_background_tasks(worker.wsgi)
