#!/usr/bin/env python3
"""posecoach's thin entry point: `python run.py` starts the live coach; any arguments go to the
`posecoach` command (e.g. `python run.py analyze VIDEO --out DIR`)."""
import sys

from posecoach.commands.main import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["live"]))
