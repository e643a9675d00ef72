# optikit developer entry points.  Needs only Python >= 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test
DSTAMP := $(VENV)/.installed-demo
DEMO_LIMIT ?= 10

.PHONY: install demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "optikit needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	@touch $@

$(TSTAMP): $(STAMP)
	$(PIP) install --quiet -e ".[test]"
	@touch $@

# What the README's own examples need beyond the core (--gantt, workbooks, export, AAS, serve,
# PyVRP).
$(DSTAMP): $(STAMP)
	$(PIP) install --quiet -e ".[plot,sheets,charts,parquet,aas,serve,pyvrp,fast]"
	@touch $@

install: $(STAMP)

# Solve every sample problem and print the summaries.
demo: $(DSTAMP)
	@$(BIN)/optikit plugins
	@for f in $$(ls problems/*/*.yaml problems/*/*.yml problems/*/*.json problems/*/*.fjs problems/*/*.clsp problems/*/*.pdptw problems/*/*.carseq problems/*/*.roster 2>/dev/null | sort); do \
		echo; echo "== optikit solve $$f"; \
		$(BIN)/optikit solve "$$f" --time-limit $(DEMO_LIMIT); rc=$$?; \
		case $$rc in 0|3|4) ;; *) echo "demo: $$f exited with $$rc"; exit $$rc;; esac; \
	done
	@echo; echo "== optikit replan problems/fjsp/machining_cell.yaml (plan and events in problems/fjsp/replan)"
	@$(BIN)/optikit replan problems/fjsp/machining_cell.yaml problems/fjsp/replan/machining_cell_plan.json \
		problems/fjsp/replan/machining_cell_events.yaml --time-limit $(DEMO_LIMIT)
	@$(BIN)/optikit replan problems/fjsp/two_shift_cell.yaml problems/fjsp/replan/two_shift_cell_plan.json \
		problems/fjsp/replan/two_shift_cell_events.yaml --time-limit $(DEMO_LIMIT)
	@echo; echo "== optikit replan problems/energy-scheduling/toy_full.yaml (plan and events in problems/energy-scheduling/replan)"
	@$(BIN)/optikit replan problems/energy-scheduling/toy_full.yaml \
		problems/energy-scheduling/replan/toy_full_plan.json \
		problems/energy-scheduling/replan/toy_full_events.yaml --time-limit $(DEMO_LIMIT)
	@echo; echo "== optikit replan problems/maintenance/press-line.yaml (plan and events in problems/maintenance/replan)"
	@$(BIN)/optikit replan problems/maintenance/press-line.yaml \
		problems/maintenance/replan/press-line_plan.json \
		problems/maintenance/replan/press-line_events.yaml --time-limit $(DEMO_LIMIT)

lint: $(TSTAMP)
	$(BIN)/ruff check .

typecheck: $(TSTAMP)
	$(BIN)/mypy optikit plugins tests

# Two phases: the suite on all cores, then the timing-sensitive tests alone (tests/conftest.py).
pytest: $(TSTAMP)
	$(BIN)/python -m pytest -n auto -m "not serial"
	$(BIN)/python -m pytest -m serial

test: lint typecheck pytest

bench: $(TSTAMP)
	$(BIN)/optikit bench benchmarks/blend.yaml benchmarks/fjsp-brandimarte.yaml benchmarks/fjsp-generated.yaml benchmarks/energy.yaml benchmarks/maintenance.yaml benchmarks/lot-sizing.yaml benchmarks/pooling.yaml benchmarks/pooling-periods.yaml benchmarks/intralogistics.yaml benchmarks/car-sequencing.yaml benchmarks/rostering.yaml --db bench-results/results.sqlite --resume
	$(BIN)/python benchmarks/replan/run.py --json bench-results/replan.json
	$(BIN)/optikit report --db bench-results/results.sqlite --format html -o bench-results/report.html --plots bench-results/plots

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache bench-results
