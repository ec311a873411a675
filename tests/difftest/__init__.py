"""Differential testing of rvjit against unicorn on random user-level instruction sequences.

gen.py          hypothesis strategies for programs (own encoder, own listing printer)
unicorn_ref.py  runs a program on unicorn (the reference)
rvjit_ref.py    runs the same program on rvjit in-process (interpreter or LLVM tier)

Layout shared by both sides: code at CODE_BASE, a 64 KiB data region at DATA_BASE with the same
deterministic initial contents, x1..x31 set directly, execution from CODE_BASE to the program's
end address.
"""
