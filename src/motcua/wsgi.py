"""WSGI entry point: `gunicorn motcua.wsgi` (see docs/operations.md)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_wsgi_application()
# Import the URL configuration now (every view, the API's schemas, the PDF engine: a second or
# two) rather than on the first request each worker serves. With gunicorn's preload_app
# (motcua.gunicorn_conf) this happens once, in the master, before the workers are forked.
_urls = get_resolver().url_patterns
