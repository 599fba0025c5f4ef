# Rapport: `make run` to try it, `make test` to check it. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

.PHONY: run install migrate demo test screenshots lint format messages deploy-check bench totp test-clocks upgrade lock clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Rapport needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

# Every package, direct or transitive, comes from the lock file at an exact version and hash.
# pyproject.toml states the ranges we accept; `make upgrade` resolves them again into the lock.
$(STAMP): requirements/dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	@mkdir -p var
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) seed_demo

run: demo
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile

totp: install
	@$(MANAGE) totp_code $(EMAIL)

# Two processes by default (pytest-xdist); TEST_WORKERS=0 runs in one. Work stealing keeps
# both busy to the end (the browser journeys are long and would otherwise finish on one).
TEST_WORKERS ?= 2
PYTEST_XDIST = -n $(TEST_WORKERS) $(if $(filter 0,$(TEST_WORKERS)),,--dist worksteal)
# With Python's default of writing bytecode, even where the environment turns it off
# (PYTHONDONTWRITEBYTECODE=1): the suite starts many Python processes (xdist and Celery
# workers, manage.py, make run's demo), which would each compile every module of ours again,
# and pytest would rewrite every test module's assertions in each worker on every run.
PYTEST = PYTHONDONTWRITEBYTECODE= $(BIN)/pytest
test: install
	$(PYTEST) $(PYTEST_XDIST)

# The whole suite once per instant, with the process clock moved there (TEST_CLOCK, see
# tests/conftest.py): just after midnight, mid-morning, mid-afternoon off the half hour and
# just before midnight UTC, and on the days New York springs forward and falls back. No
# outcome may depend on when it runs.
CLOCKS ?= 2026-12-07T00:30:00Z 2026-12-07T09:30:00Z 2026-12-07T14:37:00Z 2026-12-07T23:30:00Z 2026-03-08T09:30:00Z 2026-11-01T05:30:00Z
test-clocks: install
	@for clock in $(CLOCKS); do \
		echo "== the suite at $$clock"; \
		TEST_CLOCK=$$clock $(PYTEST) $(PYTEST_XDIST) -q || exit 1; \
	done

# Every main page of each role at 1280 and 390 px, to look at: the accessibility crawl with
# SCREENSHOTS=1 writes them to tests/e2e/screenshots/pages/ (the suite itself takes none).
screenshots: install
	SCREENSHOTS=1 $(PYTEST) $(PYTEST_XDIST) -q tests/e2e/test_accessibility.py
	@echo "Screenshots in tests/e2e/screenshots/pages/"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r networking_app contacts mentoring events -x '*/migrations/*' --severity-level high
	$(MANAGE) check --fail-level WARNING
	$(BIN)/lint-imports
	$(MANAGE) translations --check
	@if command -v docker-compose >/dev/null 2>&1; then \
		docker-compose --env-file .env.example -f docker-compose.yml config -q && echo "docker-compose.yml: valid"; \
	else echo "docker-compose not installed: skipping the compose file check"; fi

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The message catalogues (locale/<language>/LC_MESSAGES/django.po and .mo) brought up to date
# with the strings the code marks, then compiled; needs GNU gettext. docs/i18n.md.
messages: install
	$(MANAGE) translations

deploy-check: install
	DJANGO_SETTINGS_MODULE=networking_app.settings.production \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	ALLOWED_HOSTS=rapport.example.edu \
	SCHOOL_NAME='Example University' \
	DATABASE_URL=postgres://rapport@localhost:5432/rapport \
	EMAIL_URL=smtp://localhost:25 \
	SITE_URL=https://rapport.example.edu \
	REDIS_URL=redis://localhost:6379/0 \
	$(MANAGE) check --deploy --fail-level WARNING

bench: install
	ONLY=$(ONLY) $(BIN)/python bench/run.py

# Re-resolve pyproject.toml's ranges to the newest versions and write both lock files:
# requirements/base.txt (the production image) and requirements/dev.txt (make run, make test,
# CI), the second constrained by the first so both name the same versions.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --python-version 3.11 --universal --generate-hashes
upgrade: install
	$(UV_COMPILE) --upgrade -o requirements/base.txt
	$(UV_COMPILE) --upgrade --extra dev -c requirements/base.txt -o requirements/dev.txt

# After editing pyproject.toml: add or drop packages, keeping every other version.
lock: install
	$(UV_COMPILE) -o requirements/base.txt
	$(UV_COMPILE) --extra dev -c requirements/base.txt -o requirements/dev.txt

clean:
	rm -rf $(VENV) var/staticfiles
