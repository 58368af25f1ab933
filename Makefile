# EISEN Curriculum. `make run` serves the app on a fresh clone; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Variables for the test run: a fixed throwaway secret, and DEBUG off as in production.
TEST_ENV := DJANGO_SECRET_KEY=test-only-not-secret DJANGO_DEBUG=0

.PHONY: install run test bench lint format migrate messages lock clean

$(BIN)/activate: requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

install: $(BIN)/activate

migrate: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput

run: migrate
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_eisen
	@echo
	@DJANGO_DEBUG=1 $(BIN)/python manage.py create_demo_accounts
	@echo
	@echo "EISEN Curriculum is starting at http://$(HOST):$(PORT)/"
	@echo "  Frameworks:  http://$(HOST):$(PORT)/frameworks/   (readable without signing in)"
	@echo "  Courses:     http://$(HOST):$(PORT)/courses/      Coverage: http://$(HOST):$(PORT)/coverage/"
	@echo "  Evaluation:  http://$(HOST):$(PORT)/evaluation/   (as evaluator or admin)"
	@echo "  PDF exports: http://$(HOST):$(PORT)/exports/      (as admin; built in the web process)"
	@echo "  Sign in:     http://$(HOST):$(PORT)/accounts/login/ with an account above"
	@echo "  API docs:    http://$(HOST):$(PORT)/api/docs/      Admin: http://$(HOST):$(PORT)/admin/"
	@echo
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(TEST_ENV) $(BIN)/python -m pytest

bench: install
	$(TEST_ENV) $(BIN)/python -m pytest tests/bench -q -s --no-header

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Gather the marked strings into locale/{nb,sv}/LC_MESSAGES/django.po (translate what is new there),
# then compile the .mo files the app reads. tests/eisen/test_languages.py checks both are current.
messages: install
	DJANGO_SECRET_KEY=messages $(BIN)/python manage.py makemessages -l nb -l sv \
		--add-location file --ignore 'tests/*' --ignore 'staticfiles/*' --ignore 'media/*'
	DJANGO_SECRET_KEY=messages $(BIN)/python manage.py compilemessages --ignore '$(VENV)'

# Re-pin every dependency from pyproject.toml (runtime for the image, runtime + dev for make).
PIN := $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links
lock: install
	$(PIN) --upgrade -o requirements.txt pyproject.toml
	$(PIN) --upgrade --extra dev -o requirements-dev.txt pyproject.toml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
