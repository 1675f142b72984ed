"""The guided pelvis calibration at the start of a live session: hold a neutral pelvis, then tuck,
then arch, each on cue, side-on in the kneeling lunge.

The neutral hold is the zero of every later reading; the tuck and the arch show how far this
person's outline moves (their own scale) and whether it moves at all (a loose top hides the low
back: then the pelvis is not measured rather than guessed). It is redone when the camera moves.
Each step says its prompt code (posecoach.core.cues) and waits SETTLE_MS for the person to move and
the voice to finish before it collects samples; only usable outline samples count, so hands on
the hips or a turn away simply make a step last longer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from posecoach.pelvis.model import Calibration, Sample, calibrate

# (step, prompt code, seconds of usable samples to collect)
STEPS = (("neutral", "CALIB_NEUTRAL", 2.0), ("tuck", "CALIB_TUCK", 1.5), ("arch", "CALIB_ARCH", 1.5))
SETTLE_MS = 2500.0  # after a prompt: time to hear it and move
STEP_TIMEOUT_MS = 12000.0  # a step that cannot collect its samples in this time starts again
MIN_FRACTION = 0.6  # share of a step's frames that must be usable


@dataclass
class GuidedCalibration:
    """`update(sample, t_ms)` once per measured frame -> the prompt code to say now (or None);
    `result` holds the Calibration once the three steps are done (`done` is then True)."""
    step: int = 0
    result: Calibration | None = None
    done: bool = False
    _started_ms: float | None = None
    _collected: dict[str, list[Sample]] = field(default_factory=dict)

    @property
    def prompt_code(self) -> str | None:
        return None if self.done else STEPS[self.step][1]

    def restart(self) -> None:
        self.step, self.result, self.done = 0, None, False
        self._started_ms = None
        self._collected = {}

    def update(self, sample: Sample, t_ms: int) -> str | None:
        if self.done:
            return None
        name, code, seconds = STEPS[self.step]
        if self._started_ms is None:
            self._started_ms = t_ms
        elapsed = t_ms - self._started_ms
        if elapsed < SETTLE_MS:
            return code
        got = self._collected.setdefault(name, [])
        got.append(sample)
        span = got[-1].t_ms - got[0].t_ms
        usable = [s for s in got if s.features is not None]
        if span >= seconds * 1000 and len(usable) >= MIN_FRACTION * len(got):
            self._next()
        elif elapsed > STEP_TIMEOUT_MS:
            self._collected[name] = []
            self._started_ms = t_ms  # say it again
        return self.prompt_code

    def _next(self) -> None:
        if self.step + 1 < len(STEPS):
            self.step += 1
            self._started_ms = None
            return
        good = {k: [s for s in v if s.features is not None] for k, v in self._collected.items()}
        cal = calibrate(good.get("neutral", []), good.get("tuck"), good.get("arch"))
        if cal is None:
            self.restart()
            return
        self.result, self.done = cal, True
