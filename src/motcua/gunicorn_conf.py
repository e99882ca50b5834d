"""gunicorn's configuration for MộtCửa (docs/operations.md, "App server"):

    gunicorn motcua.wsgi --config src/motcua/gunicorn_conf.py --chdir src --bind 127.0.0.1:8000

(from the repository root: gunicorn reads the config file before it changes directory).

`make bench` runs the server with this file too, so the figures in docs/benchmarks.md are those
of the production configuration. Every value can still be given on the command line, in
`GUNICORN_CMD_ARGS`, or here through the environment variables below.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


# Synchronous workers, 2 × cores + 1 of them: a request is Python work (one core, the GIL) plus
# waits on PostgreSQL, and separate processes overlap those without contending for one GIL.
# Measured on 2 cores (docs/benchmarks.md): twice the submissions per second of 2 workers × 8
# threads at 16 clients. Sync workers expect a buffering proxy in front (nginx), as deployed.
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
# Only for worker_class "gthread": gunicorn turns "sync" into "gthread" when threads > 1.
threads = _int("GUNICORN_THREADS", 1)
# Keep-alive between the proxy and gthread workers (sync workers close after each response).
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Load the application (and its URL configuration, see motcua.wsgi) once in the master: workers
# start warm and share those pages. A code change then needs a restart, not a HUP.
preload_app = True
# The request middleware logs every request once (motcua.request); no second access log.
accesslog = None

# gunicorn 25.1+ opens a control socket for `gunicornc` (worker counts, reload, shutdown), by
# default at one path per user ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl): a
# second instance of the same user (another installation, `make bench`) would take it over, and
# `gunicornc` would then steer the wrong server. Off, unless GUNICORN_CONTROL_SOCKET names this
# instance's own path (owner-only, mode 0600).
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
if _control_socket:
    control_socket = _control_socket
    control_socket_mode = 0o600
else:
    control_socket_disable = True
