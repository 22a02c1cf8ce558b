# gunicorn settings for one kiosk_server process: `gunicorn -c deploy/gunicorn.conf.py -b 127.0.0.1:8001 wsgi:app`
worker_class = "gevent"
workers = 1  # one process per core, several processes behind nginx; Socket.IO state is shared through Redis
graceful_timeout = 20


def post_worker_init(worker):
    # The expiry sweep runs in every serving process (each notice is claimed by one of them).
    from kiosk_server.tasks import start_background_tasks

    start_background_tasks(worker.wsgi)


def child_exit(server, worker):
    # Prometheus' multiprocess mode (PROMETHEUS_MULTIPROC_DIR, see README § Monitoring): a worker that
    # is gone holds no screens; without this its last "connections now" would be added up for ever.
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
