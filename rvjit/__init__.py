"""rvjit: a RISC-V full-system emulator with an LLVM JIT."""
__version__ = "0.1.0"
