# make run   : bootstrap, migrate, load demo data, serve on http://127.0.0.1:8000
# make test  : bootstrap and run the whole suite with ruff and the migrations check
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: bootstrap run test lint migrate demo messages clean

bootstrap:
	@scripts/bootstrap.sh

migrate: bootstrap
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v 0

demo: migrate
	$(PY) manage.py load_demo_data

run: demo
	@echo ""
	@echo "  Dispatch system:   http://$(HOST):$(PORT)/admin/"
	@echo "  API:               http://$(HOST):$(PORT)/api/v1/"
	@echo "  API docs:          http://$(HOST):$(PORT)/api/docs/"
	@echo "  Live board:        http://$(HOST):$(PORT)/board/"
	@echo "  Demo logins: see the list above (password demo-pass-2026)"
	@echo ""
# The alert worker (repeat and escalate unacknowledged alerts) runs beside Daphne and stops with it.
	$(PY) manage.py run_alert_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) -m daphne --access-log /dev/null -b $(HOST) -p $(PORT) config.asgi:application

lint: bootstrap
	$(PY) -m ruff check .

test: bootstrap
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf var test-output .pytest_cache
