# Two commands matter (see README.md):
#   make run   set up .venv, execute every notebook on the bundled data, build the explainer
#   make test  set up .venv, run every check (ruff, mypy, unit, property, doctests, notebooks)
# Everything else here is a helper for those two.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The pins to install: requirements.lock (everything, tests included) or, for a classroom that
# only runs and reads the notebooks, requirements-run.lock (make run LOCK=requirements-run.lock).
LOCK   ?= requirements.lock
STAMP  := $(VENV)/.installed-$(basename $(notdir $(LOCK)))
BUILD  := build

.PHONY: run test setup lab lab-students lock wheels data bench classroom clean

# A .venv copied from another folder (a USB stick, say) points at the old paths: start over.
setup:
	@$(BIN)/python -I -c "import toolkit, pathlib, sys; sys.exit(pathlib.Path(toolkit.__file__).resolve().parents[1] != pathlib.Path('$(CURDIR)').resolve())" 2>/dev/null || { [ ! -d $(VENV) ] || echo "rebuilding $(VENV) (it belongs to another folder)"; rm -rf $(VENV); }
	@$(MAKE) --no-print-directory $(STAMP)

# Re-install only when the lock file or the package metadata change.
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	@# The distribution was named toolkit before: drop it, so one distribution owns the package.
	$(BIN)/python -m pip uninstall --quiet --yes toolkit 2>/dev/null || true
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

run: setup
	$(BIN)/python -m toolkit build --out $(BUILD)

test: setup
	$(BIN)/python -m ruff check toolkit tests benchmarks notebooks setup.py
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/

# The same for students: the copies with the solutions blanked.
lab-students: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) classroom/notebooks/

# Regenerate the bundled simulated dataset (see data/simulated/README.md); tests check that
# this command reproduces the committed files exactly.
SIMULATED_SEED := 20260301
CREATORS_SEED  := 20260302
RECORDED_SEED  := 20260303
data: setup
	$(BIN)/toolkit simulate --world baseline --sessions 2000 --seed $(SIMULATED_SEED) --compression-level 15 --out data/simulated/baseline
	$(BIN)/toolkit simulate --world baseline --creators 40 --days 21 --seed $(CREATORS_SEED) --compression-level 15 --out data/simulated/creators
	$(BIN)/python -m toolkit.recordings.synthetic data/recorded $(RECORDED_SEED)

# Student copies of the notebooks (solutions blanked, outputs cleared); a test checks they
# are up to date with notebooks/.
classroom: setup
	$(BIN)/toolkit classroom --out classroom/notebooks

# Speed and memory figures (see docs/performance.md); takes several minutes.
bench: setup
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	$(BIN)/python benchmarks/bench_simulator.py
	$(BIN)/python benchmarks/bench_analytics.py
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_scale.py

# Refresh the pinned versions on purpose (needs the package index): see README "Dependencies".
# requirements-run.lock is the same pins without the test tools, the recorder and statsmodels.
lock: setup
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --universal -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra notebooks --python-version 3.11 --universal -c requirements.lock -o requirements-run.lock

# For a classroom without internet: fetch every pinned package into wheels/ (on a connected
# machine with the same OS and Python version), then in the room:
#   PIP_NO_INDEX=1 PIP_FIND_LINKS="$PWD/wheels" make run
# With LOCK=requirements-run.lock (here and in the room) it fetches only what make run and
# make lab need: no test tools, no recorder.
wheels: setup
	$(BIN)/python -m pip download --quiet -d wheels -r $(LOCK) pip setuptools

clean:
	rm -rf $(BUILD) .pytest_cache
