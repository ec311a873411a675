import sys

from rvjit.cli import main

# Guarded: compile workers are spawned processes that import this module as __mp_main__.
if __name__ == "__main__":
    sys.exit(main())
