# journeybot service image: `docker build -t journeybot .`
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN useradd --create-home --uid 10001 journeybot
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY nlu ./nlu
COPY journeys ./journeys
COPY storage ./storage
RUN pip install . && mkdir -p /app/var && chown journeybot /app/var
USER journeybot
ENV JOURNEYBOT_HOST=0.0.0.0 JOURNEYBOT_PORT=8000 JOURNEYBOT_NLU_CACHE_DIR=/app/var/nlu-cache
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health').status != 200)"
# Migrations run at start (JOURNEYBOT_DATABASE_MIGRATE_ON_START, default true).
CMD ["journeybot", "serve"]
