"""Entry point for gunicorn (`wsgi:app`) and Celery (`celery -A wsgi.celery worker`)."""

from eventhub import create_app

app = create_app()
celery = app.extensions["celery"]
