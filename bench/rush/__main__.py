import sys

from bench.rush.run import main

sys.exit(main())
