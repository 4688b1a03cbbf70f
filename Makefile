# CreatorOps: `make run` starts everything, `make test` runs the suite.
# Needs only Python 3.11 (or 3.12) and make; the virtual environment is made on first use.

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Touched after each install: pyproject.toml newer than it means "install again".
STAMP := $(VENV)/.installed
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test install lint format migrate seed worker web

help:
	@echo "make run      install, migrate, create the admin user and demo data, start web + worker"
	@echo "make test     run the test suite (DATABASE_URL=postgres://... make test for PostgreSQL)"
	@echo "make install  create .venv and install the project with its dev tools"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make migrate  apply database migrations"
	@echo "make seed     add the demo data (manage.py seed_demo; --clear removes it)"
	@echo "make web      the web server only (PORT, default 8000)"
	@echo "make worker   the django-q2 worker only"

run: install migrate
	@command -v ffprobe >/dev/null 2>&1 || echo "ffprobe not found: install Debian's ffmpeg (apt-get install ffmpeg) to upload videos (images still work)."
	@$(PY) -c "import weasyprint" >/dev/null 2>&1 || echo "Pango not found: install Debian's libpango-1.0-0 and libpangoft2-1.0-0 to render PDF reports (everything else works)."
	$(PY) manage.py ensure_admin
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py serve $(if $(PORT),127.0.0.1:$(PORT))

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP)

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed: no python3.11 or python3 on PATH." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install
	$(PY) manage.py migrate

seed: install
	$(PY) manage.py seed_demo

web: install
	$(PY) manage.py serve --no-worker $(if $(PORT),127.0.0.1:$(PORT))

worker: install
	$(PY) manage.py qcluster
