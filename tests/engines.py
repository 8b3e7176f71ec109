"""`python -m tests.engines --matrix > docs/engines.md`: every case of tests/cases/ on every
engine, as markdown (support/matrix.py, support/engines.py)."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:  # the support package imports as it does under pytest
    sys.path.insert(0, str(TESTS))

from support.matrix import main  # noqa: E402

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
