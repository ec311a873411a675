import gc
import os
import sys

from rvjit.cli import main

# Guarded: compile workers are spawned processes that import this module as __mp_main__.
if __name__ == "__main__":
    # The cyclic collector stays off for the whole process (the run loop still collects every
    # GC_SECONDS, machine/virt.py): with it on, writing the caches after a Linux boot spent
    # ~2.5 s in full collections over the ~10^6 objects the run left.
    gc.disable()
    code = main()
    # Write what the run cached, then leave without tearing down the interpreter object by
    # object (a boot leaves ~10^6 objects: their teardown took ~0.5 s after the guest was off).
    from rvjit.exec.xlate_cache import TranslationCache
    TranslationCache.save_all()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
