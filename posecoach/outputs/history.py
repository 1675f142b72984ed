"""Past sessions, kept only on this computer: an SQLite file `history.sqlite` in the data folder
(posecoach.core.paths.data_dir(): the user's data directory, or $POSECOACH_HOME), beside the session
folders (`sessions/<date_time>/`: frames.jsonl, summary.json, report.html).

One row per session and one per side (front leg) of it. A live session writes its rows as it
goes and commits every couple of seconds of stream time, so a crash or Ctrl+C keeps what was
done. `posecoach history` shows progress by day; `posecoach history --delete` removes it all.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from posecoach.core.errors import PosecoachError
from posecoach.core.paths import data_dir
from posecoach.outputs.tally import SIDES, Tally

DB_NAME = "history.sqlite"
SESSIONS = "sessions"
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,            -- local time, ISO 8601 with offset
    kind TEXT NOT NULL,                  -- 'live' or 'analyze'
    source TEXT,                         -- camera or video name
    folder TEXT,                         -- session / analysis folder
    duration_s REAL NOT NULL DEFAULT 0,
    detected_fraction REAL,
    end_reason TEXT,                     -- NULL while the session is running (or if it crashed)
    pain_stop INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sides (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    side TEXT NOT NULL,                  -- front leg: 'left' or 'right'
    hold_s REAL NOT NULL,                -- hold achieved in good form, seconds
    target_s REAL NOT NULL,
    lunge_s REAL NOT NULL,               -- seconds in the stretch
    good_s REAL NOT NULL,                -- of which in good form
    faults TEXT NOT NULL,                -- JSON {fault code: seconds}
    PRIMARY KEY (session_id, side)
);
PRAGMA user_version = 1;
"""


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def sessions_root() -> Path:
    return data_dir() / SESSIONS


def new_session_dir() -> Path:
    """A fresh (not yet created) folder for a live session: <data dir>/sessions/YYYY-MM-DD_HHMMSS."""
    root = sessions_root()
    stem = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    path, n = root / stem, 2
    while path.exists():
        path, n = root / f"{stem}-{n}", n + 1
    return path


@dataclass(frozen=True)
class DayRow:
    """Progress on one day: best hold per side (s), good-form share over all time in the stretch."""
    day: str
    sessions: int
    best_hold: dict[str, float | None]
    target_s: float | None
    good_share: float | None
    main_fault: str | None
    pain_stops: int


class History:
    """The history database. Use as a context manager, or call close()."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / DB_NAME
        try:
            self.db = sqlite3.connect(self.path, timeout=5.0)
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as e:
            raise PosecoachError(f"cannot open the history {self.path}: {e} "
                                 "(posecoach history --delete starts it afresh)") from e

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # -- writing ------------------------------------------------------------------------------
    def start_session(self, kind: str, source: str, folder: Path | None, started_at: str | None = None) -> int:
        with self.db:
            cur = self.db.execute("INSERT INTO sessions (started_at, kind, source, folder) VALUES (?, ?, ?, ?)",
                                  (started_at or now_iso(), kind, source, str(folder) if folder else None))
        assert cur.lastrowid is not None, "an INSERT has a row id"
        return cur.lastrowid

    def save_progress(self, session_id: int, tally: Tally, hold_s: Mapping[str, float], target_s: float) -> None:
        """Upsert the side rows of a session from its tally so far, and its duration; commits."""
        with self.db:
            for side in SIDES:
                st, hold = tally.sides[side], float(hold_s.get(side, 0.0))
                if st.lunge_s <= 0 and hold <= 0:
                    continue
                self.db.execute(
                    "INSERT INTO sides VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(session_id, side) DO UPDATE SET "
                    "hold_s=excluded.hold_s, target_s=excluded.target_s, lunge_s=excluded.lunge_s, "
                    "good_s=excluded.good_s, faults=excluded.faults",
                    (session_id, side, round(hold, 2), target_s, round(st.lunge_s, 2), round(st.good_s, 2),
                     json.dumps({k: round(v, 2) for k, v in st.fault_s.items() if v > 0})))
            det = tally.detected_s / tally.total_s if tally.total_s > 0 else None
            self.db.execute("UPDATE sessions SET duration_s = ?, detected_fraction = ? WHERE id = ?",
                            (round(tally.total_s, 2), None if det is None else round(det, 4), session_id))

    def finish_session(self, session_id: int, end_reason: str, pain_stop: bool = False) -> None:
        with self.db:
            self.db.execute("UPDATE sessions SET end_reason = ?, pain_stop = ? WHERE id = ?",
                            (end_reason, int(pain_stop), session_id))

    def add_analysis(self, records: list[dict[str, Any]], summary: Mapping[str, Any], folder: Path | None,
                     target_s: float, kind: str = "analyze") -> int:
        """One finished analysis (a video) as a session with its sides."""
        sid = self.start_session(kind, str(summary.get("video", "")), folder, summary.get("started_at"))
        self.save_progress(sid, Tally.of(records), summary.get("hold_s") or {}, target_s)
        self.finish_session(sid, str(summary.get("end_reason") or "analysed"), bool(summary.get("pain_stop")))
        return sid

    # -- reading ------------------------------------------------------------------------------
    def session_for(self, folder: Path) -> dict[str, Any] | None:
        """The latest session kept in `folder`: {"id", "started_at", "source", "end_reason"}, or None."""
        row = self.db.execute("SELECT id, started_at, source, end_reason FROM sessions WHERE folder = ? "
                              "ORDER BY id DESC LIMIT 1", (str(folder),)).fetchone()
        return None if row is None else dict(zip(("id", "started_at", "source", "end_reason"), row))

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])

    def days(self) -> list[DayRow]:
        """Progress per calendar day (the sessions' local start date), oldest first."""
        rows = self.db.execute(
            "SELECT substr(s.started_at, 1, 10), s.id, s.pain_stop, d.side, d.hold_s, d.target_s, d.lunge_s, "
            "d.good_s, d.faults FROM sessions s LEFT JOIN sides d ON d.session_id = s.id ORDER BY s.started_at")
        days: dict[str, dict] = {}
        for day, sid, pain, side, hold, target, lunge, good, faults in rows:
            d = days.setdefault(day, {"ids": set(), "pain": set(), "best": {}, "target": None,
                                      "lunge": 0.0, "good": 0.0, "faults": {}})
            d["ids"].add(sid)
            if pain:
                d["pain"].add(sid)
            if side is None:
                continue
            d["best"][side] = max(d["best"].get(side, 0.0), hold)
            d["target"] = max(d["target"] or 0.0, target)
            d["lunge"] += lunge
            d["good"] += good
            for code, secs in json.loads(faults).items():
                d["faults"][code] = d["faults"].get(code, 0.0) + secs
        out = []
        for day, d in days.items():
            worst = max(d["faults"], key=d["faults"].get) if d["faults"] else None
            out.append(DayRow(day, len(d["ids"]), {s: d["best"].get(s) for s in SIDES}, d["target"],
                              d["good"] / d["lunge"] if d["lunge"] > 0 else None, worst, len(d["pain"])))
        return out


def format_days(days: list[DayRow], fault_names: Mapping[str, str]) -> str:
    """The progress table printed by `posecoach history`."""
    head = ("day", "sessions", "left hold", "right hold", "good form", "main thing to work on")
    lines = []
    for d in days:
        of = f" / {d.target_s:.0f}" if d.target_s else ""
        holds = [("-" if d.best_hold[s] is None else f"{d.best_hold[s]:.0f}{of} s") for s in SIDES]
        note = fault_names.get(d.main_fault, d.main_fault) if d.main_fault else "-"
        if d.pain_stops:
            note += f" (stopped for pain {d.pain_stops}x)"
        lines.append((d.day, str(d.sessions), *holds,
                      "-" if d.good_share is None else f"{100 * d.good_share:.0f}%", note))
    widths = [max(len(r[i]) for r in [head, *lines]) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) if i in (0, 5) else c.rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return "\n".join([fmt(head), *(fmt(r) for r in lines)])


def plot_days(days: list[DayRow], path: Path) -> Path:
    """Best hold per side and good-form share by day, as a PNG."""
    from matplotlib.dates import DateFormatter, DayLocator
    from matplotlib.figure import Figure

    from posecoach.outputs.plots import SIDE_COLOUR, png
    x = [datetime.strptime(d.day, "%Y-%m-%d") for d in days]
    fig = Figure(figsize=(9, 6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    for side in SIDES:
        pts = [(xi, d.best_hold[side]) for xi, d in zip(x, days) if d.best_hold[side] is not None]
        if pts:
            top.plot(*zip(*pts), marker="o", color=SIDE_COLOUR[side], label=f"{side} leg forward")
    targets = [d.target_s for d in days if d.target_s]
    if targets:
        top.axhline(max(targets), color="#333333", ls="--", lw=1, label=f"target {max(targets):g} s")
    top.set_ylim(bottom=0)
    top.set_ylabel("best hold in good form (s)")
    top.set_title("Your hip-flexor stretch, day by day", loc="left")
    top.legend(loc="upper left", frameon=False)
    top.grid(alpha=0.3)
    pts = [(xi, 100 * d.good_share) for xi, d in zip(x, days) if d.good_share is not None]
    if pts:
        bottom.plot(*zip(*pts), marker="s", color="#2e7d32", label="time in good form")
    bottom.set_ylim(0, 105)
    bottom.set_ylabel("time in good form (%)")
    bottom.grid(alpha=0.3)
    span_days = (x[-1] - x[0]).days if x else 0
    bottom.xaxis.set_major_locator(DayLocator(interval=max(1, span_days // 10)))
    bottom.xaxis.set_major_formatter(DateFormatter("%d %b"))
    if span_days < 2:
        from datetime import timedelta
        bottom.set_xlim(x[0] - timedelta(days=1), x[-1] + timedelta(days=1))
    fig.autofmt_xdate()
    try:
        path.write_bytes(png(fig))
    except OSError as e:
        raise PosecoachError(f"cannot write {path}: {e.strerror or e}") from e
    return path


def delete_all() -> tuple[int, int]:
    """Delete the history database and every session folder under the data folder.
    Returns (sessions in the database, session folders removed). Other files (settings, the
    first-run note) stay."""
    home = data_dir(create=False)
    db = home / DB_NAME
    n = 0
    if db.exists():
        try:
            with History(db) as h:
                n = h.count()
        except PosecoachError:
            pass
    for p in (db, home / f"{DB_NAME}-journal", home / f"{DB_NAME}-wal", home / f"{DB_NAME}-shm"):
        p.unlink(missing_ok=True)
    root = home / SESSIONS
    folders = [p for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
    if root.exists():
        shutil.rmtree(root)
    return n, len(folders)
