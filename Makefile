# rvjit: the entry points.  `make setup` installs what the project needs on a fresh Debian
# machine (apt for the RISC-V cross compiler and QEMU, pip for the Python packages).
PYTHON ?= python3
PYTEST ?= $(PYTHON) -m pytest

.PHONY: setup guest test test-slow bench demo clean lint

setup:
	bash scripts/setup.sh

guest:
	$(MAKE) -C tests/guest

test: guest
	$(PYTEST) -q

test-slow: guest
	$(PYTEST) -q -m slow

bench:
	$(PYTHON) bench/run_bench.py

demo:
	$(PYTHON) -m rvjit

lint:
	$(PYTHON) -m ruff check rvjit tests bench

clean:
	rm -rf build .pytest_cache .hypothesis
