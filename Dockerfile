# Production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint renders with Pango; fonts are installed, never fetched at render time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz0b libharfbuzz-subset0 fonts-liberation fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY safeguard ./safeguard
COPY agencies ./agencies
COPY cases ./cases
COPY referrals ./referrals
RUN pip install -c constraints.txt .
COPY . .
COPY --from=frontend /app/static/build ./static/build
RUN SECRET_KEY=build-only STATIC_ROOT=/app/staticfiles \
    STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    python manage.py collectstatic --no-input \
 && useradd --system --uid 10001 safeguard && mkdir -p /app/var/beat /app/var/media && chown -R safeguard /app/var
USER safeguard
ENV STATIC_ROOT=/app/staticfiles \
    STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    WHITENOISE_USE_FINDERS=false
EXPOSE 8000
CMD ["gunicorn", "safeguard.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
