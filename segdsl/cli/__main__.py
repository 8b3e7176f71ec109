"""`python -m segdsl.cli`, as the `segdsl` script."""

import sys

from segdsl.cli import main

sys.exit(main())
