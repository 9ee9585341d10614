# The verbs a newcomer looks for. `make run` and `make test` set everything up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# pytest-xdist workers; CI has 2 cores.
TEST_WORKERS ?= 2

.PHONY: run test lint format migrations-check bench setup clean worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# A local development environment file: DEBUG on and a random key, never committed.
.env:
	printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env

setup: $(VENV)/.installed .env

## Serve the desk on http://127.0.0.1:$(PORT) with the seed article loaded (web + worker + beat).
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seeds
	$(BIN)/python manage.py create_demo_users
	@# exec: the shell make starts would die of Ctrl-C first and make would report an error;
	@# bin/devserver itself stops everything and exits 0 on Ctrl-C.
	PORT=$(PORT) exec ./bin/devserver

## The whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, else SQLite + embedded).
test: setup
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: setup
	$(BIN)/python manage.py makemigrations --check --dry-run

## Benchmarks: print their figures (see README for the latest table).
bench: setup
	$(BIN)/python -m bench

worker: setup
	$(BIN)/celery -A reex worker --loglevel INFO

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
