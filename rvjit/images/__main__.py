import sys

from rvjit.images.fetch import main

sys.exit(main())
