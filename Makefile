# Okno. Targets only alias plain commands; see README.md.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --disable-pip-version-check --no-input -q
PYTEST_ARGS ?=

.PHONY: run test check lint format lock messages clean-db help

help:
	@echo "make run    set up and start Okno at http://127.0.0.1:8000 (demo data on first start)"
	@echo "make test   install dev dependencies and run lint, types and the whole test suite"

$(VENV)/.created:
	@python=$$(scripts/find-python.sh) || exit 1; \
	 echo "Creating $(VENV) with $$python"; \
	 "$$python" -m venv $(VENV) && touch $@

$(VENV)/.deps: requirements.lock $(VENV)/.created
	@echo "Installing dependencies (requirements.lock)…"
	@$(PIP) -r requirements.lock
	@touch $@

$(VENV)/.dev-deps: requirements-dev.lock $(VENV)/.deps
	@echo "Installing development dependencies (requirements-dev.lock)…"
	@$(PIP) -r requirements-dev.lock
	@touch $@

run: $(VENV)/.deps
	@$(PY) manage.py setup
	@$(PY) manage.py serve

check: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy okno config
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/check_messages.py

test: check
	@scripts/ensure-chromium.sh
	@scripts/ensure-dovecot.sh
	$(PY) -m pytest $(PYTEST_ARGS)

lint format: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.dev-deps
	$(PY) manage.py makemessages -l ru --no-location --no-obsolete -i ".venv/*" -i "var/*" -i "bench/*"
	$(PY) manage.py compilemessages -l ru

lock: $(VENV)/.dev-deps
	$(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.12 --no-header -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 --no-header -o requirements-dev.lock
