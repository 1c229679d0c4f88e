"""Gunicorn settings for the web container (and the native production smoke).

Every value can be overridden from the environment, so one image fits machines of any size.
"""

import os


def _cpu_count() -> int:
    # The CPUs this process may run on (a container's cpuset), not the host's total.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers: requests are short and database-bound. 2 x CPUs + 1 is gunicorn's rule of thumb;
# mind the connection budget (docs/scaling.md) when raising it.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cpu_count() + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Only the proxy in front may set X-Forwarded-Proto (compose: the proxy container).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr for the container runtime; access lines are JSON, like the app's.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", '
    '"remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "query": "%(q)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, "user_agent": "%(a)s"}'
)

# Heartbeat files on tmpfs: a container's overlay filesystem can stall workers.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
