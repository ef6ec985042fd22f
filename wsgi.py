"""Entry point for gunicorn (`wsgi:app`) and Celery (`celery -A wsgi.celery worker`)."""

import gc

from eventhub import create_app

app = create_app()
celery = app.extensions["celery"]

# What is imported and built by now lives as long as the process, so the collector's full passes
# need not walk it: about 180,000 objects, 40-110 ms per pass on these machines, a stall that a
# web worker takes every few thousand requests (a p99 spike) and more often while its caches
# fill. Only here, in the processes gunicorn and Celery start, not in create_app: tests build
# many apps in one process, and a frozen object is never collected.
gc.freeze()
