"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Threaded workers (gthread): a worker keeps answering its health checks while one of its threads
streams a 100,000-row export for a minute, and a slow tablet upload holds a thread, not a
process. Long work (reports, reminders, deliveries) runs in the scheduler, never here.
Every setting can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# Each worker holds one copy of the app (about 150 MiB; an export streams in constant memory).
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count(), 8)))
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# A gthread worker's heartbeat is not held up by a long request, so this only catches a worker
# that is stuck as a whole. Streamed exports of 100,000 rows take about 45 s on a small server.
timeout = 120
# On a restart or deploy, running requests (an export being downloaded) get this long to end.
graceful_timeout = 120
keepalive = 5
# Photos arrive in pieces of 256 KB and forms in pieces too; the app caps their sizes.
limit_request_field_size = 16384
# Restart workers now and then, staggered, so no slow leak builds up.
max_requests = 2000
max_requests_jitter = 200
# The worker heartbeat files on tmpfs: a full or slow disk must not look like hung workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (tmpfs)
# nginx on the same host sets X-Forwarded-Proto; trust it from there only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
proc_name = "inspection-web"
# No runtime control socket: it would sit in the service user's home, and two instances on one
# host would share its path. systemctl reload (SIGHUP) and restart do what is needed.
control_socket_disable = True


def on_starting(server) -> None:
    """Refuse to start, with the reason, before any worker boots (a missing secret key or
    public URL in production, or incomplete storage settings)."""
    from inspection.config import from_environment
    from inspection.config import production_problems

    problems = production_problems(from_environment())
    if problems:
        sys.exit("Refusing to start: " + " ".join(problems) + " (See the README, Production.)")
