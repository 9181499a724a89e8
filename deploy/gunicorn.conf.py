"""gunicorn settings of the registry (gunicorn -c deploy/gunicorn.conf.py).

Workers, threads, address and timeout come from the environment (WEB_CONCURRENCY, GUNICORN_THREADS,
GUNICORN_BIND, GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS).
gunicorn's own lines go through the application's log format (JSON in production); the access line is
written by the application, with the request id, so gunicorn's access log stays off.
"""

import multiprocessing
import os

from registry.ops.logs import logging_config

wsgi_app = "registry.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# Threads per worker: more than 1 switches to the threaded worker, which overlaps database waits.
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (a leak guard). Its successor imports the application
# anew (about a second on this machine, no preload so that HUP loads new code): at 2,000 a worker under
# a few hundred requests/s restarted every few seconds (benchmarks/landing_bench.py). 0 never replaces one.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 100_000)
max_requests_jitter = max_requests // 10
# Only the local proxy may say the request came over TLS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = None
errorlog = "-"
# No runtime control socket (gunicorn >= 24): systemd manages the process, and $HOME is read-only there.
control_socket_disable = True

_debug = os.environ.get("DEBUG", "true").strip().lower() in {"1", "true", "yes", "on"}
_json = os.environ.get("LOG_FORMAT", "text" if _debug else "json") == "json"
logconfig_dict = logging_config(json_lines=_json, level=os.environ.get("LOG_LEVEL", "INFO"))
logconfig_dict["loggers"].update({
    "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
    "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
})


def worker_exit(server, worker):
    """Write the verification counts the worker still holds in memory (registry.certificates.checks)."""
    from django.apps import apps

    if apps.ready:
        from registry.certificates import checks

        checks.flush()
