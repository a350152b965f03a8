"""The WSGI entry point: `gunicorn -c gunicorn.conf.py wsgi:app`."""

from inspection import create_app
from inspection.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as refused:  # say what to set, without a traceback
    raise SystemExit(str(refused)) from None
