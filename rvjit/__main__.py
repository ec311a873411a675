import sys

from rvjit.cli import main

sys.exit(main())
