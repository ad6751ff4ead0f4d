"""`python -m benchmarks`: run every benchmark and print the table (see run.py)."""

from __future__ import annotations

import sys

from benchmarks.run import main

sys.exit(main())
