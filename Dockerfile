# Muster's image: the application, gunicorn and the task worker (docs/deploy.md).
# One image for every service of compose.yaml; each runs its own command.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MUSTER_STATIC_ROOT=/app/static \
    MUSTER_MEDIA_ROOT=/data/media \
    MUSTER_BIND=0.0.0.0:8000

WORKDIR /app
# The pinned versions first, so that a code change does not reinstall them.
COPY pyproject.toml requirements.lock README.md ./
COPY muster ./muster
COPY manage.py gunicorn.conf.py ./
RUN pip install --no-cache-dir -c requirements.lock -e . \
    && MUSTER_DEBUG=false MUSTER_SECRET_KEY=collectstatic-only \
       python manage.py collectstatic --no-input --verbosity 0 \
    && rm -rf /app/var \
    && useradd --system --no-create-home muster \
    && mkdir -p /data/media \
    && chown muster /data/media

USER muster
EXPOSE 8000
CMD ["gunicorn"]
