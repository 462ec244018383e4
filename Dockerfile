# PlanHer web image: granian serving Django (WSGI), static files by WhiteNoise.
# The same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs keys to import settings; the real ones come at run time.
RUN SECRET_KEY=collectstatic-only FIELD_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5ldmVyLWEta2V5LTA= python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app planher \
    && mkdir -p /app/var/media \
    && chown -R planher /app/var

USER planher
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4).status != 200)"

# granian (chosen by measurement: README, "Serving speed"), WEB_CONCURRENCY
# worker processes of GRANIAN_BLOCKING_THREADS threads each; the system check
# that requires a shared cache (REDIS_URL) for several workers reads
# WEB_CONCURRENCY too. A worker that dies is started again.
ENV WEB_CONCURRENCY=3 \
    GRANIAN_BLOCKING_THREADS=2
CMD ["sh", "-c", "exec granian --interface wsgi --host 0.0.0.0 --port 8000 --workers \"$WEB_CONCURRENCY\" --respawn-failed-workers --no-ws --access-log planher.wsgi:application"]
