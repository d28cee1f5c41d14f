# The two commands of README.md: `make run` serves the demo, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test serve venv messages lint check-deploy openapi clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

messages: venv
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

run: venv messages
	bash scripts/ensure-system-packages
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py load_demo --once
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

test: venv messages
	bash scripts/ensure-system-packages --browser
	$(PY) -m pytest -q

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy zhengtong

openapi: venv
	$(PY) manage.py export_openapi > docs/api/openapi.json

clean:
	rm -rf $(VENV) var
