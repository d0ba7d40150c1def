# Production image: slim, non-root, uvicorn workers; mirrors the tested configuration.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The compiled search helper (search/native, Rust + pyo3): an abi3 wheel for CPython >= 3.11.
FROM rust:1-slim-bookworm AS native
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* && python3 -m venv /opt/maturin && /opt/maturin/bin/pip install "maturin>=1.7,<2"
COPY search/native /build/native
RUN /opt/maturin/bin/maturin build --release --manifest-path /build/native/Cargo.toml --out /wheels

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
COPY --from=native /wheels /wheels
RUN pip install --no-compile -e . /wheels/*.whl && rm -rf /root/.cache /wheels
COPY --from=assets /build/node_modules ./node_modules
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
# init is idempotent: it upgrades the schema and adds missing reference data.
CMD ["sh", "-c", "barnratt init && exec barnratt serve --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-2}"]
