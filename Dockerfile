# The production image: one image for the web processes, the migrate step and
# the workers. Debian's CJK font is installed so printed orders embed it.
FROM python:3.11-slim-bookworm

# MALLOC_ARENA_MAX=2: Daphne runs each request in a thread of its own, and glibc
# gives threads their own memory arenas (up to 8 per core), each keeping what
# it freed. Under load that held 60-80 MiB per process that Python had given
# back; with two arenas a process levels off about 50 MiB lower at the same
# throughput (bench/RESULTS.md, "Load: memory").
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 VAR_DIR=/app/var MALLOC_ARENA_MAX=2

RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei gettext curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Everything but what .dockerignore leaves out (tests, benchmarks, local state).
COPY . .
RUN pip install . \
 && DEBUG=0 SECRET_KEY=build-only python manage.py compilemessages --ignore 'usr/*' \
 && DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput

RUN useradd --system --home /app care && mkdir -p /app/var && chown care /app/var
USER care
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["daphne", "--access-log", "/dev/null", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "config.asgi:application"]
