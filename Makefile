# 园区安全环保检查闭环系统 — `make run` starts the app with demo data; `make test` runs the suite.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export TEST_DATABASE_URL

# Debian packages the app and its tests use: CJK fonts for PDFs, Pango for WeasyPrint,
# Chromium for the browser tests, poppler for checking PDFs, zbar for reading their QR codes.
RUN_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils zbar-tools

.PHONY: run test lint fmt setup lock system-run system-test translations catalogs migration bench clean

run: setup system-run catalogs  ## Set up, migrate, load demo data, start web + scheduler
	@$(BIN)/flask --app wsgi db upgrade
	@$(BIN)/flask --app wsgi demo load --if-empty
	@echo
	@$(BIN)/flask --app wsgi demo logins
	@echo
	@echo "Open http://127.0.0.1:5000 — Ctrl-C stops the web app and the scheduler."
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --no-colour -f Procfile start

test: setup system-test catalogs lint  ## Set up and run the whole suite on SQLite, then PostgreSQL
	@echo "=== Test suite on SQLite ==="
	@env -u TEST_DATABASE_URL $(BIN)/pytest -n 2 --dist worksteal -q
	@if $(BIN)/python -c "import os,sys,psycopg; psycopg.connect(os.environ['TEST_DATABASE_URL'].replace('+psycopg',''), connect_timeout=5).close()" 2>/dev/null; then \
		echo "=== Test suite on PostgreSQL ($(TEST_DATABASE_URL)) ==="; \
		$(BIN)/pytest -n 2 --dist worksteal -q; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(TEST_DATABASE_URL): the PostgreSQL run is required in CI." >&2; exit 1; \
	else \
		echo "*** SKIPPED the PostgreSQL run: no server at $(TEST_DATABASE_URL)."; \
		echo "*** Start PostgreSQL or set TEST_DATABASE_URL to run the suite on it too."; \
	fi

setup: $(INSTALLED)

# The exact versions CI tested come from requirements.lock; pyproject.toml keeps the lower bounds.
$(INSTALLED): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python dependencies into $(VENV) from requirements.lock…"
	@$(BIN)/pip install --quiet --upgrade pip 2>&1 | sed '/is ignored: it is neither/d'
	@$(BIN)/pip install --quiet -r requirements.lock 2>&1 | sed '/is ignored: it is neither/d'
	@$(BIN)/pip install --quiet --no-deps -e . 2>&1 | sed '/is ignored: it is neither/d'
	@touch $@

lock:  ## Pin every dependency (after changing pyproject.toml): writes requirements.lock
	@test -x .venv-lock/bin/pip-compile || ($(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install --quiet pip-tools)
	@.venv-lock/bin/pip-compile --quiet --upgrade --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml

system-run:
	@$(MAKE) --no-print-directory packages PACKAGES="$(RUN_PACKAGES)" REQUIRED=no

system-test:
	@$(MAKE) --no-print-directory packages PACKAGES="$(TEST_PACKAGES)" REQUIRED=yes

# Install missing Debian packages with apt-get when we can (root, or sudo without a password);
# otherwise say plainly what is missing and how to install it.
.PHONY: packages
packages:
	@missing=""; for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "Installing system packages:$$missing"; \
	if [ "$$(id -u)" = 0 ]; then apt=""; elif sudo -n true 2>/dev/null; then apt="sudo -n"; else apt="none"; fi; \
	if [ "$$apt" != none ] && command -v apt-get >/dev/null; then \
		export DEBIAN_FRONTEND=noninteractive; \
		($$apt apt-get install -y -qq $$missing >/dev/null 2>&1 || ($$apt apt-get update -qq >/dev/null && $$apt apt-get install -y -qq $$missing >/dev/null)) \
		&& exit 0; \
	fi; \
	echo "*** Missing system packages:$$missing"; \
	echo "*** Install them with: sudo apt-get install$$missing"; \
	if [ "$(REQUIRED)" = yes ]; then exit 1; fi

catalogs: setup  ## Compile the translation catalogs
	@$(BIN)/pybabel compile -d inspection/translations 2>&1 | sed '/^compiling catalog/d'

translations: setup  ## Extract new strings and update the catalogs (then translate zh)
	@$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _plural:1,2 --no-location --omit-header \
		-o inspection/translations/messages.pot .
	@$(BIN)/pybabel update -i inspection/translations/messages.pot -d inspection/translations \
		--no-fuzzy-matching --ignore-obsolete -w 100

migration: setup  ## Generate a migration from the models: make migration m="what changed"
	@test -n "$(m)" || (echo 'usage: make migration m="what changed"' >&2; exit 2)
	@$(BIN)/alembic revision --autogenerate -m "$(m)"

lint: setup
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

fmt: setup
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

bench: setup catalogs  ## Run the benchmarks in bench/ and print their figures
	@for script in bench/*.py; do echo "=== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
