# Production image: gunicorn for the web; the same image runs the Celery worker and beat.

# --- Front end: GOV.UK Frontend / MOJ Frontend compiled into static/build/ -----------
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
RUN npm run build

# --- Application -----------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint renders with Pango and HarfBuzz; fonts are installed, never fetched at
# render time. curl is for the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
    fonts-liberation fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# Dependencies first (a layer that changes only with pyproject.toml/constraints.txt),
# pinned by constraints.txt. The project itself runs from /app, not site-packages.
# The DfE rules package goes in without its declared dependencies: it pins rich<14,
# which it never imports; what it does import (pandas, numpy) is in pyproject.toml.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -c constraints.txt -r /tmp/requirements.txt \
 && pip install --no-deps -c constraints.txt csc-validator-be-cin \
 && rm /tmp/requirements.txt
ENV PYTHONPATH=/app

COPY . .
COPY --from=frontend /app/static/build ./static/build

# Static files collected once, with hashed names, served by WhiteNoise.
ENV STATIC_ROOT=/app/staticfiles \
    STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    WHITENOISE_USE_FINDERS=false \
    MEDIA_ROOT=/app/var/media
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input \
 && useradd --system --uid 10001 --home-dir /app safeguard \
 && mkdir -p /app/var/media /app/var/beat /app/var/audit-checkpoints \
 && chown -R safeguard /app/var
USER safeguard

EXPOSE 8000
# gunicorn reads WEB_CONCURRENCY for its number of workers.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "safeguard.wsgi", "--bind", "0.0.0.0:8000", "--timeout", "60", "--access-logfile", "-"]
