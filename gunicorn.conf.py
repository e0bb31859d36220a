"""gunicorn's settings, read from this directory by `make serve` and the container.

gunicorn runs Muster's WSGI application (`muster.wsgi`) in several worker
processes, each with a few threads: a slow request (an import, a PDF) holds one
thread, not the site. The defaults suit one machine; docs/deploy.md explains them.
"""

import multiprocessing

from muster.settings import LOG_FORMAT, env_int, env_str

wsgi_app = "muster.wsgi:application"
# Behind a proxy on the same machine by default; the container listens on 0.0.0.0.
bind = env_str("MUSTER_BIND", "127.0.0.1:8000")
# One process per core and one more, so that a core is never idle while a
# process waits for the database, and threads for the waits within a process
# (heartbeats are frequent and short). Measured on the 2-core machine under the
# load test (BENCHMARKS.md, issue 13.2): 3 processes answered heartbeats at p95
# 53 ms where gunicorn's usual 2 x cores + 1 (5) gave 98 ms, the five competing
# for the same two cores with PostgreSQL; fewer processes also hold fewer
# database connections (workers x threads).
workers = env_int("MUSTER_WEB_WORKERS", multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = env_int("MUSTER_WEB_THREADS", 4)
# Bounded imports finish well within a minute; a request past this is stuck.
timeout = 60
graceful_timeout = 30
# Longer than a client or proxy waits before reusing an idle connection (nginx
# keeps upstream connections 60 s, browsers about as long): a server that closes
# first races the client's next request on that connection, which then fails
# with "connection reset" instead of being answered.
keepalive = env_int("MUSTER_KEEPALIVE_SECONDS", 75)
# Replace each worker after a while, so that no slow leak grows forever.
max_requests = 2000
max_requests_jitter = 200
# No control socket (gunicorn 24+): one fixed path per user would be shared by
# every instance on the machine; signals (HUP, TERM) are enough.
control_socket_disable = True
# Muster logs each request itself, with its id (muster/logs.py).
accesslog = None
errorlog = "-"
if LOG_FORMAT == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level"},
            }
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
        },
        # gunicorn lays this over its own defaults: every key it names is replaced.
        "root": {"level": "INFO", "handlers": ["stdout"]},
        "loggers": {
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
            "gunicorn.error": {
                "level": "INFO",
                "handlers": ["stdout"],
                "propagate": False,
            },
        },
    }
