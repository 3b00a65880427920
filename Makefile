# The two commands a new user needs: `make run` and `make test`.
# Only Python >= 3.11, a C compiler and make are assumed; everything else is installed into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# durable-rules 2.0.28 calls PyEval_CallObject, removed in Python 3.13.
PY_MINOR := $(shell $(PYTHON) -c 'import sys; print(sys.version_info[1])')
ifeq ($(shell [ $(PY_MINOR) -ge 13 ] && echo yes),yes)
export CPPFLAGS := -DPyEval_CallObject=PyObject_CallObject $(CPPFLAGS)
endif

# Browser tests (issue 6) inject axe-core from the npm registry; without npm they skip with the reason shown
# (under CI=true they must run: .ci/run makes sure node, npm and Debian's chromium are there).
AXE_VERSION := 4.10.3
AXE    := .cache/npm/node_modules/axe-core/axe.min.js

.PHONY: run test lint typecheck install clean

run: $(STAMP)
	$(BIN)/mandaat serve --demo

test: $(STAMP) $(AXE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy features
	$(BIN)/pytest -q

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

$(AXE):
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core@$(AXE_VERSION); \
	else echo "npm not found: the accessibility checks will be skipped"; fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis .cache
