"""``python -m convlab`` is the ``convlab`` command."""

import sys

from convlab.publish.cli import main

sys.exit(main())
