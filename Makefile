# Muster: set up, test and run with only Python 3.11+ and make.
#
#   make run    install if needed, migrate, load demo data, serve on 127.0.0.1:8000
#   make serve  install if needed, migrate, collect static files, then run gunicorn
#               and the task worker (production serving: docs/deploy.md)
#   make test   install if needed (Python packages; axe-core with npm), run the whole
#               test suite in parallel (TEST_WORKERS=auto: one process per core)
#   make lint   ruff check and ruff format --check
#   make lock   pin the installed versions into requirements.lock

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install: reinstall only when pyproject.toml or
# requirements.lock is newer.
STAMP := $(VENV)/.installed
ADDRESS := 127.0.0.1:8000
# axe-core (npm) for the accessibility checks in the browser tests; installed from
# package-lock.json by npm ci when npm exists (without it those checks are skipped
# locally, with the reason shown, and fail on CI).
NODE_STAMP := node_modules/.installed

# pytest-xdist processes for `make test`: auto is one per core; 0 runs in-process.
TEST_WORKERS ?= auto

.PHONY: venv run serve test lint lock

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@if [ ! -x $(BIN)/python ]; then \
		$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
			echo "Muster needs Python 3.11 or newer (try: make PYTHON=python3.12)." >&2; \
			exit 1; }; \
		echo "Creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/pip install -c requirements.lock -e '.[dev]'
	touch $(STAMP)

run: venv
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py standings refresh
	$(BIN)/python manage.py check_mandates
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py load_courses
	@echo ""
	@echo "Muster: http://$(ADDRESS)/"
	@echo "Sign in as 'coordinator', 'officer', 'head' (approves waivers), 'auditor'"
	@echo "(reads Missouri) or 'admin'"
	@echo "with the password printed above when the login was created"
	@echo "(new ones: $(BIN)/python manage.py seed_demo --reset-password)."
	@echo "Coordinators must use a second factor: the first sign-in asks for the"
	@echo "password again, then shows a QR code to scan with an authenticator app"
	@echo "(any TOTP app; the secret is printed under the code) and one code from it."
	@echo ""
	$(BIN)/python manage.py runserver $(ADDRESS)

# gunicorn (gunicorn.conf.py: workers from the core count, MUSTER_BIND) and
# `manage.py task_worker` run side by side; when either stops, the other is stopped
# too and make fails, so a process manager restarts both.
serve: venv
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py standings refresh
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	@bash -c '$(BIN)/python manage.py task_worker & worker=$$!; \
		$(BIN)/gunicorn & web=$$!; \
		trap "kill $$web $$worker 2>/dev/null; wait" EXIT INT TERM; \
		wait -n $$web $$worker'

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund && touch $(NODE_STAMP); \
	else \
		echo "npm not found: accessibility checks will be skipped (install Node.js and npm)." >&2; \
	fi

test: venv $(NODE_STAMP)
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lock:
	@test -x $(BIN)/pip || { echo "No $(VENV) yet: run make venv first." >&2; exit 1; }
	$(BIN)/pip freeze --exclude-editable > requirements.lock
