# Production image: slim, non-root, uvicorn workers; mirrors the tested configuration.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    BARNRATT_ENV=production BARNRATT_DATA_DIR=/data
RUN groupadd --system app && useradd --system --gid app --home /app app \
    && mkdir -p /data && chown app:app /data
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY search ./search
COPY migrations ./migrations
COPY docs ./docs
# Editable install: the app runs from /app, where node_modules/ and docs/ sit beside it.
RUN pip install --no-compile -e . && rm -rf /root/.cache
COPY --from=assets /build/node_modules ./node_modules
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
# init is idempotent: it upgrades the schema and adds missing reference data.
CMD ["sh", "-c", "barnratt init && exec barnratt serve --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-2}"]
