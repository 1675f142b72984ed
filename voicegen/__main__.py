"""Entry point for ``python -m voicegen``."""
from voicegen.cli import main

raise SystemExit(main())
