"""Time from `say()` to the first audio sample handed to the player: natural-voice clip vs eSpeak NG.

    python -m benchmarks.voice_latency [--repeats N] [--player true]

What is timed: `VoiceEngine.say(text)` on the caller's thread until the player process has been
started on a complete WAV file holding the utterance (posecoach.outputs.voice.Player writes the
file, then starts the player on it: from that moment the player can read the first sample). The
real code path runs; only `subprocess.Popen` in posecoach.outputs.voice is wrapped to note the
time it returns. The player itself is `--player` (default `true`, which exits at once): this
machine has no sound device, so a real player's own start-up (paplay connecting to the sound
server, typically a few ms to tens of ms) is not included and is stated as such.

Each text is said once per repeat, waiting for the engine to go idle in between, so no utterance
queues behind another. "cold" is the very first say() of a fresh engine; "first" rows are each
text's first time (a clip is decoded on first use, then kept), "again" rows the later repeats. Texts: every fixed cue text (clips) and the same
texts with clips switched off (eSpeak); plus plan-like strings that always go to eSpeak.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import threading
import time

from posecoach.outputs import voice as v
from posecoach.outputs.clips import ClipBank
from posecoach.outputs.voice_lines import fixed_texts

PLAN_STRINGS = ["Keep your chin level and look ahead.", "Halte die Position und atme ruhig.",
                "Bring your weight a touch further back, over the back knee."]


class SpawnClock:
    """Wraps subprocess.Popen inside posecoach.outputs.voice: records when each player starts."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.event = threading.Event()
        self._real = subprocess.Popen

    def __enter__(self) -> "SpawnClock":
        clock = self

        class TimedPopen(self._real):  # type: ignore[misc, valid-type]
            def __init__(self, *a, **k) -> None:
                super().__init__(*a, **k)
                clock.times.append(time.perf_counter())
                clock.event.set()

        v.subprocess.Popen = TimedPopen  # type: ignore[misc]
        return self

    def __exit__(self, *exc) -> None:
        v.subprocess.Popen = self._real  # type: ignore[misc]


def measure(engine: v.VoiceEngine, texts: list[str], clock: SpawnClock) -> list[float]:
    """ms from say() to player start, one per text."""
    out = []
    for text in texts:
        clock.event.clear()
        t0 = time.perf_counter()
        engine.say(text)
        if not clock.event.wait(30):
            raise RuntimeError(f"no player started for {text!r}")
        out.append((clock.times[-1] - t0) * 1000)
        engine.wait_idle(30)
    return out


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def run(repeats: int, player: str) -> dict[str, dict[str, float]]:
    bank = ClipBank.bundled()
    if bank is None:
        raise SystemExit("no voice clips bundled (posecoach/data/voice); run python -m voicegen render")
    v.find_player = lambda: [player]  # type: ignore[assignment]
    fixed = fixed_texts()
    assert all(bank.covers(t) for t in fixed)
    results: dict[str, dict[str, float]] = {}
    for label, clips, texts in (("clip", bank, fixed), ("eSpeak (same texts)", False, fixed),
                                ("eSpeak (plan strings)", False, PLAN_STRINGS)):
        with SpawnClock() as clock:
            engine = v.VoiceEngine(clips=ClipBank.bundled() if clips else False)
            cold = measure(engine, texts[:1], clock)[0]
            rounds = [measure(engine, texts, clock) for _ in range(repeats)]
            engine.close()
        first = rounds[0][1:]  # texts[0] was decoded by the cold call
        again = [ms for r in rounds[1:] for ms in r]
        for name, values in ((f"{label}, first", first), (f"{label}, again", again)):
            if values:
                results[name] = {"n": len(values), "cold": cold, "p50": statistics.median(values),
                                 "p95": pct(values, 0.95), "max": max(values)}
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3, help="times each text is said (default 3)")
    ap.add_argument("--player", default="true", help="player command standing in for paplay (default: true)")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"load average {load:.1f}; player stand-in: {args.player!r}")
    results = run(args.repeats, args.player)
    print("| path | utterances | cold ms | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for label, r in results.items():
        print(f"| {label} | {r['n']:.0f} | {r['cold']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
