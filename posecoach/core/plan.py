"""Therapist plans: a small TOML file that prescribes the routine and is loaded with `--plan`.

A plan sets, within safe limits: which exercises, hold seconds, sides and repetitions; the fault
bands of the kneeling lunge; cue pacing; voice on/off and its language; and replacement cue
texts (e.g. a translation). It becomes the typed `Settings` (posecoach.core.config) plus the strings.

Why limits: a plan may make the coach stricter, but not so loose that a risky position (a knee far
past the ankle, a deeply arched back) goes unremarked, nor so strict that measurement noise
(about 5 degrees for 2D pose) makes it nag. The limits are the LIMITS table below; the README's
"Therapist plans" section lists them. Unknown keys and out-of-range values are errors that name
the field, so a misspelt key never silently does nothing.
"""
from __future__ import annotations

import string
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from posecoach.core.config import (
    BALL_SPOT_S,
    LUNGE_HOLD_S,
    REST_S,
    Band,
    CoachConfig,
    Settings,
    default_bands,
)
from posecoach.core.cues import CUE_TABLE
from posecoach.core.errors import ConfigError
from posecoach.core.protocol import SIDES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# Per fault: (lowest allowed `fault`, highest allowed `fault`, lowest allowed `ok`), degrees.
# The highest `fault` is the safety cap; `ok` must stay at least MIN_BAND_DEG below `fault`.
LIMITS: dict[str, tuple[float, float, float]] = {
    "KNEE_PAST_ANKLE": (8.0, 25.0, 0.0),     # shin tilt; protocol 15 / 6
    "FOOT_TOO_FAR": (100.0, 130.0, 80.0),    # front knee angle; protocol 115 / 100
    "HIPS_FORWARD": (12.0, 30.0, 0.0),       # back hip extension; protocol 22 / 10
    "ANTERIOR_TILT": (3.0, 15.0, -10.0),     # pelvic tilt; protocol 8 / 0
    "LEANING_FORWARD": (10.0, 30.0, 0.0),    # trunk lean; protocol 20 / 8
}
MIN_BAND_DEG = 3.0  # room between ok and fault for the hysteresis

# Per exercise: allowed hold seconds (lo, hi, default), whether it has sides, most repetitions.
EXERCISES: dict[str, tuple[float, float, float, bool, int]] = {
    "kneeling_lunge": (LUNGE_HOLD_S.lo, LUNGE_HOLD_S.hi, 30.0, True, 5),
    "constructive_rest": (REST_S.lo, REST_S.hi, 300.0, False, 3),
    "ball_release": (BALL_SPOT_S.lo, BALL_SPOT_S.hi, 45.0, True, 3),
}
PACING: dict[str, tuple[float, float]] = {"cue_cooldown_s": (4.0, 60.0), "cue_gap_s": (1.0, 10.0)}
TOP_KEYS = {"title", "voice", "language", "exercises", "thresholds", "coach", "strings"}
EXERCISE_KEYS = {"name", "hold_s", "sides", "repetitions"}


@dataclass(frozen=True)
class ExercisePlan:
    """One prescribed exercise: `hold_s` per hold, `sides` in order, `repetitions` of that order."""
    name: str
    hold_s: float
    sides: tuple[str, ...] = ()
    repetitions: int = 1

    @property
    def holds(self) -> tuple[str, ...]:
        """Every hold in order, e.g. ("left", "right", "left", "right")."""
        return self.sides * self.repetitions


@dataclass(frozen=True)
class Plan:
    title: str
    exercises: tuple[ExercisePlan, ...]
    settings: Settings
    strings: dict[str, str] = field(default_factory=dict)
    source: Path | None = None

    def exercise(self, name: str) -> ExercisePlan | None:
        return next((e for e in self.exercises if e.name == name), None)

    def describe(self) -> str:
        """One line per exercise, for `posecoach plan check`."""
        lines = [f"plan {self.title!r}:"]
        for e in self.exercises:
            sides = f", sides {' then '.join(e.sides)}" if e.sides else ""
            lines.append(f"  {e.name}: hold {e.hold_s:g} s{sides}, {e.repetitions} repetition(s)")
        changed = [f"{code} fault>={b.fault:g} ok<={b.ok:g}" for code, b in self.settings.bands.items()
                   if b != default_bands()[code]]
        if changed:
            lines.append("  thresholds: " + "; ".join(changed))
        c = self.settings.coach
        lines.append(f"  voice: {'on' if c.voice else 'off'} ({c.language}); {len(self.strings)} custom text(s)")
        return "\n".join(lines)


def known_codes() -> dict[str, str]:
    """Every cue code a plan may re-word, with its default text."""
    return {code: spec.text for code, spec in CUE_TABLE.items()}


def _num(value: Any, where: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} must be a number, not {value!r}")
    if not lo <= value <= hi:
        raise ConfigError(f"{where} = {value:g} is outside the safe range {lo:g} to {hi:g}")
    return float(value)


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table ([{where}])")
    return value


def _no_unknown(table: dict[str, Any], allowed: set[str] | dict, where: str) -> None:
    for key in table:
        if key not in allowed:
            choices = ", ".join(sorted(allowed))
            raise ConfigError(f"unknown key {where}{key!r} (expected one of: {choices})")


def _exercise(raw: Any, i: int) -> ExercisePlan:
    where = f"exercises[{i}]"
    t = _table(raw, where)
    _no_unknown(t, EXERCISE_KEYS, f"{where}.")
    name = t.get("name")
    if name not in EXERCISES:
        raise ConfigError(f"{where}.name must be one of {', '.join(EXERCISES)}, not {name!r}")
    lo, hi, default, has_sides, max_reps = EXERCISES[name]
    hold = _num(t.get("hold_s", default), f"{where}.hold_s", lo, hi)
    reps_raw = t.get("repetitions", 1)
    if isinstance(reps_raw, bool) or not isinstance(reps_raw, int):
        raise ConfigError(f"{where}.repetitions must be a whole number, not {reps_raw!r}")
    reps = int(_num(reps_raw, f"{where}.repetitions", 1, max_reps))
    sides: tuple[str, ...] = ()
    if has_sides:
        raw_sides = t.get("sides", list(SIDES))
        if (not isinstance(raw_sides, list) or not raw_sides or len(raw_sides) > 2
                or any(s not in SIDES for s in raw_sides) or len(set(raw_sides)) != len(raw_sides)):
            raise ConfigError(f'{where}.sides must list "left" and/or "right" once each, not {raw_sides!r}')
        sides = tuple(raw_sides)
    elif "sides" in t:
        raise ConfigError(f"{where}.sides: {name} has no sides")
    return ExercisePlan(name, hold, sides, reps)


def _bands(raw: Any) -> dict[str, Band]:
    bands = default_bands()
    t = _table(raw, "thresholds")
    _no_unknown(t, LIMITS, "thresholds.")
    for code, spec in t.items():
        where = f"thresholds.{code}"
        spec = _table(spec, where)
        _no_unknown(spec, {"fault", "ok"}, f"{where}.")
        lo, hi, ok_lo = LIMITS[code]
        fault = _num(spec.get("fault", bands[code].fault), f"{where}.fault", lo, hi)
        ok = _num(spec.get("ok", min(bands[code].ok, fault - MIN_BAND_DEG)), f"{where}.ok", ok_lo,
                  fault - MIN_BAND_DEG)
        bands[code] = Band(fault=fault, ok=ok)
    return bands


def _strings(raw: Any) -> dict[str, str]:
    t = _table(raw, "strings")
    codes = known_codes()
    _no_unknown(t, codes, "strings.")
    out = {}
    for code, text in t.items():
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(f"strings.{code} must be a non-empty text")
        wanted = {f for _, f, _, _ in string.Formatter().parse(codes[code]) if f}
        try:
            used = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        except ValueError as e:
            raise ConfigError(f"strings.{code}: {e} (write {{{{ and }}}} for literal braces)") from e
        if not used <= wanted:
            allowed = ", ".join("{" + f + "}" for f in sorted(wanted)) or "none"
            raise ConfigError(f"strings.{code} uses {', '.join('{' + f + '}' for f in sorted(used - wanted))};"
                              f" allowed here: {allowed}")
        out[code] = text.strip()
    return out


def parse_plan(data: dict[str, Any], base: Settings | None = None, source: Path | None = None) -> Plan:
    """A parsed TOML document -> Plan (validated); `base` supplies everything the plan leaves out."""
    base = base or Settings()
    _no_unknown(data, TOP_KEYS, "")
    title = data.get("title", source.stem if source else "plan")
    if not isinstance(title, str):
        raise ConfigError("title must be a text")
    raw_ex = data.get("exercises", [{"name": "kneeling_lunge"}])
    if not isinstance(raw_ex, list) or not raw_ex:
        raise ConfigError("exercises must be a non-empty list of [[exercises]] tables")
    exercises = tuple(_exercise(e, i) for i, e in enumerate(raw_ex))
    names = [e.name for e in exercises]
    if len(set(names)) != len(names):
        raise ConfigError("exercises: each exercise may appear once (use repetitions to repeat it)")
    voice = data.get("voice", base.coach.voice)
    if not isinstance(voice, bool):
        raise ConfigError(f"voice must be true or false, not {voice!r}")
    language = data.get("language", base.coach.language)
    if not isinstance(language, str) or not (1 < len(language) <= 12) or not all(
            ch.isalnum() or ch in "-_" for ch in language):
        raise ConfigError(f"language must be a language code such as \"en\" or \"de\", not {language!r}")
    coach_t = _table(data.get("coach", {}), "coach")
    _no_unknown(coach_t, PACING, "coach.")
    pacing = {k: _num(v, f"coach.{k}", *PACING[k]) for k, v in coach_t.items()}
    coach: CoachConfig = replace(base.coach, voice=voice, language=language,
                                 cue_cooldown_s=pacing.get("cue_cooldown_s", base.coach.cue_cooldown_s),
                                 cue_gap_s=pacing.get("cue_gap_s", base.coach.cue_gap_s))
    lunge = next((e for e in exercises if e.name == "kneeling_lunge"), None)
    if lunge is not None:
        coach = replace(coach, hold_s=lunge.hold_s, sides=lunge.holds)
    bands = _bands(data["thresholds"]) if "thresholds" in data else dict(base.bands)
    settings = replace(base, bands=bands, coach=coach)
    strings = _strings(data["strings"]) if "strings" in data else {}
    return Plan(title=title, exercises=exercises, settings=settings, strings=strings, source=source)


def load_plan(path: str | Path, base: Settings | None = None) -> Plan:
    """Read and validate a plan file; ConfigError (one sentence naming the field) when wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"plan not found: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read the plan {path}: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} is not valid TOML: {e}") from None
    try:
        return parse_plan(data, base, source=path)
    except ConfigError as e:
        raise ConfigError(f"{path}: {e}") from None
