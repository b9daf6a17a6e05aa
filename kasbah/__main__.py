import sys

from kasbah.cli import main

sys.exit(main())
