# make run   : bootstrap, migrate, load demo data, serve on http://127.0.0.1:8000
# make test  : bootstrap and run the whole suite with ruff, the layers check (import-linter) and the migrations check
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: bootstrap run test lint migrate demo messages scale-proof load clean

bootstrap:
	@scripts/bootstrap.sh

messages: bootstrap
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v 0

migrate: messages
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo_data

run: demo
	@echo ""
	@echo "  Dispatch system:   http://$(HOST):$(PORT)/"
	@echo "  Admin:             http://$(HOST):$(PORT)/admin/"
	@echo "  API docs:          http://$(HOST):$(PORT)/api/docs/"
	@echo "  Live board:        http://$(HOST):$(PORT)/board/"
	@echo "  Demo logins: see the list above (password demo-pass-2026)"
	@echo ""
# The background passes run beside Daphne and stop with it: unacknowledged
# alerts sound again and escalate; overdue follow-ups close or escalate; the
# scheduler marks overdue orders and creates subscriptions' orders.
	$(PY) manage.py run_alert_worker --loop --interval 1 & alerts=$$!; \
	$(PY) manage.py run_followup_checks --loop & followups=$$!; \
	$(PY) manage.py run_scheduler --loop & scheduler=$$!; \
	trap 'kill $$alerts $$followups $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(PY) -m daphne --access-log /dev/null -b $(HOST) -p $(PORT) config.asgi:application

lint: bootstrap
	$(PY) -m ruff check .

test: messages
	$(PY) -m ruff check .
	.venv/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# Two Daphne processes on PostgreSQL and Redis serve one board (DATABASE_URL must
# name a PostgreSQL server; a redis-server of the test's own is started).
scale-proof: messages
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(PY) -m pytest -q tests/e2e/test_scale_out.py

# The city-scale load test (bench/load/run.py): two Daphne processes on
# PostgreSQL and a redis-server of its own, a compressed day at LOAD_ARGS
# (default 50 intakes/s for 5 minutes, 100 boards), then the intake ceiling.
load: messages
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(PY) bench/load/run.py $(LOAD_ARGS)

clean:
	rm -rf var test-output .pytest_cache
