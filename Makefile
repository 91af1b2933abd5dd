# Two commands matter: `make serve` and `make test` (see README).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 5000
DEMO_CONFIG := data/demo/angebotskarte.toml

.PHONY: serve test demo venv clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# Build the demo store from data/demo (fictional offers, schematic districts).
demo: venv
	$(VENV)/bin/angebotskarte demo --config $(DEMO_CONFIG)

serve: demo
	$(VENV)/bin/angebotskarte serve --config $(DEMO_CONFIG) --host $(HOST) --port $(PORT)

test: venv
	@test -d tests/js/node_modules || npm install --prefix tests/js --no-audit --no-fund
	$(PY) -m pytest

clean:
	rm -rf $(VENV) data/demo/build
