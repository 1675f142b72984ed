"""Entry point for ``python -m samplegen``."""
from samplegen.cli import main

raise SystemExit(main())
