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

.PHONY: run test lint typecheck install clean

run: $(STAMP)
	$(BIN)/mandaat rules explain --lang nl

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
