"""gunicorn settings of a CreatorOps web machine: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Read from the environment (the same file as the application's, deploy/production.env.example):
GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_TIMEOUT and TRUSTED_PROXIES.
"""

import ipaddress
import multiprocessing
import os

wsgi_app = "config.wsgi:application"

# Behind the TLS-terminating proxy: 0.0.0.0:8000 when the proxy is another machine.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Sync workers: each holds one database connection (CONN_MAX_AGE) and serves one request at a
# time. Every machine's workers plus every qcluster's Q_WORKERS must fit max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 9))
worker_class = "sync"
# A request running longer is killed (the worker restarts); bulk adds are the slowest requests.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory), not all at once.
max_requests = 2000
max_requests_jitter = 200
# Imported in each worker, not in the master: a reload (SIGHUP) picks up new code.
preload_app = False
accesslog = "-"
errorlog = "-"
# The request line and headers stay within what a proxy forwards; bodies are capped by Django.
limit_request_line = 8190
limit_request_fields = 100


def _networks(text: str) -> str:
    # TRUSTED_PROXIES is lenient (10.0.0.1/8 is accepted); gunicorn wants strict networks.
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    return ",".join(str(ipaddress.ip_network(entry, strict=False)) for entry in entries)


# gunicorn sets wsgi.url_scheme from X-Forwarded-Proto only for these peers, as Django believes
# the header only from them (core.middleware.UntrustedProxyHeaderMiddleware). Empty: nobody.
forwarded_allow_ips = _networks(os.environ.get("TRUSTED_PROXIES", ""))
