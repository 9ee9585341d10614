# The verbs a newcomer looks for. `make run` and `make test` set everything up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# pytest-xdist workers; CI has 2 cores.
TEST_WORKERS ?= 2
PIP := $(BIN)/pip --disable-pip-version-check
# uv writes the locks: one resolution for every platform, hashes of every file on the index.
LOCK_FLAGS := --generate-hashes --universal --python-version 3.11 --quiet \
  --custom-compile-command "make lock"

.PHONY: run test lint format migrations-check bench setup clean worker worker-render lock chromium graphviz

# The interpreter's own pip is enough (23.x included): everything comes from the lock.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Every package, direct or not, at the version and hashes of the lock (`make lock` writes it),
# and nothing else: bin/install-lock resolves nothing against the index (see its header).
$(VENV)/.installed: requirements.lock requirements-dev.lock bin/install-lock | $(BIN)/python
	./bin/install-lock $(BIN)/python requirements-dev.lock
	touch $@

# A local development environment file: DEBUG on and a random key, never committed.
.env:
	printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env

setup: $(VENV)/.installed .env

## Serve the desk on http://127.0.0.1:$(PORT) with the seed article loaded (web + worker + beat).
run: setup
	@# The picture draws without dot (its hand-written layout): a hint, not a stop.
	-@./bin/ensure-graphviz >/dev/null
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_seeds
	$(BIN)/python manage.py create_demo_users
	@# exec: the shell make starts would die of Ctrl-C first and make would report an error;
	@# bin/devserver itself stops everything and exits 0 on Ctrl-C.
	PORT=$(PORT) exec ./bin/devserver

## The whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, else SQLite + embedded).
# Chromium and Graphviz first: without them (and no right to install them) nothing else runs.
test: chromium graphviz setup
	$(BIN)/python manage.py makemigrations --check --dry-run
	REEX_CHROMIUM="$$(./bin/ensure-chromium)" $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## Debian's chromium for the browser tests: installed when missing and we are root, else a hint.
chromium:
	@./bin/ensure-chromium >/dev/null

## Debian's graphviz (`dot`) for the ownership picture's layout: installed when missing and we
## are root, else a hint (the desk still draws without it, with the hand-written layout).
graphviz:
	@./bin/ensure-graphviz >/dev/null

## Re-resolve requirements.txt and requirements-dev.txt into the hashed locks. Pins already in the
## locks are kept where they still fit; `make lock UPGRADE=1` takes the newest allowed instead.
UV_PIN = $(shell grep -E '^uv==' requirements-dev.txt)
lock: | $(BIN)/python
	@$(BIN)/uv --version 2>/dev/null | grep -q "^uv $(UV_PIN:uv==%=%)\( \|$$\)" || $(PIP) install --quiet "$(UV_PIN)"
	@# A lock left with merge conflict markers is no guide to keep pins from: start it afresh.
	@for f in requirements.lock requirements-dev.lock; do \
	  if grep -qE '^(<<<<<<<|=======|>>>>>>>)' "$$f" 2>/dev/null; then rm -f "$$f"; fi; done
	$(BIN)/uv pip compile requirements.txt -o requirements.lock $(LOCK_FLAGS) $(if $(UPGRADE),--upgrade)
	$(BIN)/uv pip compile requirements-dev.txt -c requirements.lock -o requirements-dev.lock \
	  $(LOCK_FLAGS) $(if $(UPGRADE),--upgrade)

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

## The Celery workers alone (production-like): fetching (threads, default queue) and text
## extraction (prefork, the `extract` queue); Ctrl-C stops both.
EXTRACT_PROCESSES ?= 2
worker: setup
	trap 'kill 0' INT TERM; \
	$(BIN)/celery -A reex worker --pool prefork --concurrency $(EXTRACT_PROCESSES) \
	  -Q "$${REEX_EXTRACT_QUEUE:-extract}" -n extract@%h --loglevel INFO & \
	$(BIN)/celery -A reex worker --pool threads -Q "$${REEX_CELERY_QUEUE:-celery}" \
	  -n fetch@%h --loglevel INFO & \
	wait

## The browser-capture worker (the `render` queue): threads, one Debian Chromium each
## (REEX_CHROMIUM, installed by `make chromium`); a worker without Chromium refuses this queue.
RENDER_CONCURRENCY ?= 2
worker-render: chromium setup
	REEX_CHROMIUM="$$(./bin/ensure-chromium)" $(BIN)/celery -A reex worker --pool threads \
	  --concurrency $(RENDER_CONCURRENCY) -Q "$${REEX_RENDER_QUEUE:-render}" -n render@%h \
	  --loglevel INFO

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
