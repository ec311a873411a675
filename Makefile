# rvjit: the entry points.  Each target first makes sure the machine is set up (apt for the
# RISC-V cross compiler and QEMU, pip for the Python packages): `make demo` and `make test`
# are all a fresh machine needs.
PYTHON ?= python3
PYTEST ?= $(PYTHON) -m pytest
SETUP_STAMP := build/.setup-done
# rvjit's bytecode, compiled ahead (an editable install has none, and with
# PYTHONDONTWRITEBYTECODE set every run would compile every module: ~60 ms a process)
PYC = $(PYTHON) -m compileall -q rvjit >/dev/null

.PHONY: setup guest test test-slow bench bench-boot demo clean lint images test-boot

$(SETUP_STAMP): pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	mkdir -p build && touch $@

setup: $(SETUP_STAMP)

guest: $(SETUP_STAMP)
	$(MAKE) -C tests/guest

test: guest
	$(PYTEST) -q

test-slow: guest
	$(PYTEST) -q -m slow

bench: $(SETUP_STAMP)
	$(PYC)
	$(PYTHON) bench/run_bench.py

# Debian's OpenSBI, kernel, busybox initramfs and KVM host initramfs (Debian's QEMU starting two
# KVM guests) -> ~/.cache/rvjit/images (rvjit/images/)
images: $(SETUP_STAMP)
	$(PYTHON) -m rvjit.images

# Boot Linux on the images (tests/test_boot_linux.py; minutes per boot)
test-boot: images
	$(PYTEST) -q -m boot

# The same Linux boot on rvjit and on qemu-system-riscv64: time to each console milestone.
# Arguments pass through: make bench-boot ARGS="--smp 4", ARGS="--kvm" (the two KVM guests)
ARGS ?=
bench-boot: images
	$(PYC)
	$(PYTHON) bench/boot_bench.py $(ARGS)

demo: $(SETUP_STAMP)
	$(PYC)
	$(PYTHON) -m rvjit

# The default demo image: a two-guest H-extension hypervisor (demo/hvdemo) -> build/demo/hvdemo.elf
.PHONY: demo-image
demo-image: $(SETUP_STAMP)
	$(MAKE) -C demo/hvdemo

lint:
	$(PYTHON) -m ruff check rvjit tests bench

clean:
	rm -rf build .pytest_cache .hypothesis
