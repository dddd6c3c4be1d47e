# One image for web, worker, beat and the platform simulator (docker-compose.yml picks the command).
FROM node:20-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 KAWO_VAR_DIR=/app/var
WORKDIR /app
# WeasyPrint (PDF reports) lays text out with Pango; Chinese needs a CJK font, found by family name.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
COPY --from=frontend /app/node_modules ./node_modules
# Static files are collected at build time with throw-away values for the settings production requires.
RUN DJANGO_SETTINGS_MODULE=kawo.settings.production DJANGO_SECRET_KEY=build-only DATABASE_URL=sqlite:// \
    REDIS_URL=redis://build ALLOWED_HOSTS=build KAWO_FERNET_KEYS=build \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 kawo && mkdir -p /app/var/media && chown -R kawo /app/var
USER kawo
EXPOSE 8000
CMD ["gunicorn", "kawo.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
