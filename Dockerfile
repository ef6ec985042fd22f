# The production image: gunicorn, Celery worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 1000 eventhub
WORKDIR /app

# The locked, hash-checked dependencies first (a layer that changes only with the lock),
# then eventhub itself without resolving anything again.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
# The templates, translations, static files and migrations go into the package (setup.py).
COPY pyproject.toml setup.py README.md ./
COPY eventhub ./eventhub
COPY templates ./templates
COPY translations ./translations
COPY static ./static
COPY migrations ./migrations
RUN pip install --no-cache-dir --no-deps .

COPY wsgi.py run.py ./

RUN mkdir -p /app/instance && chown -R eventhub /app/instance
USER eventhub
EXPOSE 8000
CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "wsgi:app"]
