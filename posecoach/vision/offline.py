"""Keep MediaPipe off the network. posecoach works offline and promises that nothing leaves the
computer, but the MediaPipe wheels since ~0.10.3x contain a usage-statistics uploader (libcurl,
`tasks/core/logging/google_internal`, posting to play.googleapis.com; mediapipe issue 6291) with no
documented switch. Measured here with strace on mediapipe 1.2.2: creating a PoseLandmarker makes
the process resolve and contact that host.

libcurl takes its proxy from the environment, so pointing https_proxy (and its spellings) at a
closed port on this machine, with no bypass list, makes every such request fail locally: no name
lookup, no packet leaves. posecoach itself makes no network requests, so nothing else is affected.
Call `block_mediapipe_uploads()` before MediaPipe is imported (estimator.py does).
"""
from __future__ import annotations

import os

NOWHERE = "http://127.0.0.1:9"  # the discard port on this machine: refused or swallowed locally
PROXY_VARS = ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")  # the uploader uses https
BYPASS_VARS = ("no_proxy", "NO_PROXY")


def block_mediapipe_uploads() -> None:
    """Route libcurl's requests in this process (and its children) to a closed local port."""
    for name in PROXY_VARS:
        os.environ[name] = NOWHERE
    for name in BYPASS_VARS:
        os.environ.pop(name, None)
