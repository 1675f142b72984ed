"""Helpers for the live-mode tests: a two-sided clip made from real footage, an Xvfb display,
screenshots of it, and the checks a person's eye would make on them."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def write_clip(path: Path, parts: list[tuple[Path, float, bool]], size=(640, 360), fps: float = 30.0) -> Path:
    """Concatenate (video, seconds, mirrored) parts into one mp4 at `fps` and `size`.

    A mirrored side view shows the other leg in front: one real clip gives both sides.
    """
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for video, seconds, mirrored in parts:
        cap = cv2.VideoCapture(str(video))
        src_fps = cap.get(cv2.CAP_PROP_FPS) or fps
        step, t, i = src_fps / fps, 0.0, 0
        while t < seconds * src_fps:
            if not cap.grab():
                break
            if i >= int(t):  # decode only the frames kept
                ok, img = cap.retrieve()
                if not ok:
                    break
                img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
                out.write(cv2.flip(img, 1) if mirrored else img)
                t += step
            i += 1
        cap.release()
    out.release()
    return path


def run_cli(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "posecoach", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=ROOT)


def base_env(home: Path, voice_file: Path | None = None, display: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["POSECOACH_HOME"] = str(home)
    if voice_file is not None:
        env["POSECOACH_VOICE_FILE"] = str(voice_file)
    if display is not None:
        env["DISPLAY"] = display
    return env


def records(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            break  # a line being written
    return out


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None, step: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value is not None and value is not False:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"posecoach exited ({proc.returncode}) while waiting for {what}: "
                                 f"{proc.stderr.read() if proc.stderr else ''}")
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


class Xvfb:
    """A virtual X display on a free number; `shot()` grabs the whole screen as BGR."""
    TOOLS = ("Xvfb", "import", "xdotool")

    def __init__(self, size=(1280, 720)) -> None:
        self.size = size
        n = next(n for n in range(60, 200) if not Path(f"/tmp/.X{n}-lock").exists()
                 and not Path(f"/tmp/.X11-unix/X{n}").exists())
        self.display = f":{n}"
        self.proc = subprocess.Popen(["Xvfb", self.display, "-screen", "0", f"{size[0]}x{size[1]}x24",
                                      "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: Path(f"/tmp/.X11-unix/X{n}").exists(), 10, "Xvfb to start", self.proc)
        # A window manager, as on a desktop: fullscreen (the clinic display) needs one.
        self.wm = None
        if shutil.which("openbox"):
            self.wm = subprocess.Popen(["openbox"], env=self.env(), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            time.sleep(1.0)

    @classmethod
    def missing(cls) -> list[str]:
        return [t for t in cls.TOOLS if shutil.which(t) is None]

    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display}

    def shot(self, save: Path | None = None, window: str = "root") -> np.ndarray:
        """The screen (or one window's contents, by id) as the X server shows it."""
        png = subprocess.run(["import", "-window", window, "png:-"], capture_output=True, env=self.env(),
                             timeout=20, check=True).stdout
        img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
        if save is not None:
            save.write_bytes(png)
        return img

    def window(self, name: str = "posecoach", timeout: float = 20, proc=None) -> str:
        def find():
            r = subprocess.run(["xdotool", "search", "--name", name], capture_output=True, text=True, env=self.env())
            return r.stdout.split()[0] if r.returncode == 0 and r.stdout.strip() else None
        return wait_for(find, timeout, f"the {name} window", proc)

    def key(self, window: str, key: str) -> None:
        subprocess.run(["xdotool", "windowfocus", "--sync", window, "key", key], env=self.env(), timeout=10,
                       check=True)

    def close(self) -> None:
        if self.wm is not None:
            self.wm.terminate()
            self.wm.wait(timeout=10)
        self.proc.terminate()
        self.proc.wait(timeout=10)


def luminance(v: float) -> float:
    """WCAG relative luminance of a grey level 0-255."""
    c = v / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def contrast(a: float, b: float) -> float:
    """WCAG contrast ratio (1-21) of two grey levels 0-255."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def cue_banner(img: np.ndarray) -> np.ndarray | None:
    """The cue banner (greyscale) below the full-width white rule in the lower part, or None."""
    grey = img.mean(axis=2)
    rows = np.where((grey > 230).mean(axis=1) > 0.9)[0]
    rows = rows[rows > img.shape[0] // 3]
    if not rows.size or rows.max() > img.shape[0] - 10:
        return None
    return grey[rows.max() + 2:]


def checklist_shown(img: np.ndarray) -> bool:
    """The setup checklist: a dark panel with white text in the top right quarter."""
    panel = img[: img.shape[0] // 3, img.shape[1] // 2:].mean(axis=2)
    return bool((panel < 40).mean() > 0.25 and (panel > 200).mean() > 0.01)


def text_page_stats(img: np.ndarray) -> tuple[float, float]:
    """(share of near-black pixels, share of bright pixels): a text page is mostly black with text."""
    grey = img.mean(axis=2)
    return float((grey < 30).mean()), float((grey > 200).mean())
