"""Spoken cues, offline: eSpeak NG, one utterance at a time, never blocking the frame loop.

Why this shape: a patient side-on to the laptop cannot read the screen, so every cue is spoken;
but speech takes seconds and the camera loop must not wait. `say()` only hands the text to a
worker thread through a one-slot mailbox: a newer cue replaces one still waiting (the older one
is stale by then), and the worker speaks one utterance at a time.

Engines, best first:
1. eSpeak NG's library from the espeakng-loader wheel (installs from PyPI alone), driven through
   ctypes in synchronous mode; its 16-bit samples are played with the system's audio player
   (paplay, pw-play, aplay, afplay, winsound).
2. The system `espeak-ng` (or `espeak`) program, which plays by itself.
3. None: cues are printed and shown on screen, with a one-line notice.

A text whose every sentence was pre-rendered in the natural voice (posecoach.outputs.clips: the
fixed cues) plays from those clips through the same player or WAV file; eSpeak NG speaks the rest.

`VoiceEngine(to_file=path)` (or $POSECOACH_VOICE_FILE) renders every utterance into one WAV file
instead of playing it, plus `path.txt` listing what was said: how tests hear the coach.
"""
from __future__ import annotations

import ctypes
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from posecoach.outputs.clips import ClipBank

ENV_FILE = "POSECOACH_VOICE_FILE"
RATE_WPM = 150  # a little slower than eSpeak's 175 default: instructions, not conversation
GAP_S = 0.3  # silence between utterances in a rendered file, seconds


class VoiceUnavailable(RuntimeError):
    """No speech engine (or no way to play its sound) on this machine."""


# -- synthesis ---------------------------------------------------------------------------------
class LibEspeak:
    """eSpeak NG's shared library (espeakng-loader wheel) through ctypes -> int16 mono samples.

    The library keeps global state, so one instance serves the whole process (`shared()`), and a
    lock serialises synthesis.
    """
    _instance: "LibEspeak | None" = None
    _make_lock = threading.Lock()
    _CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
    name = "eSpeak NG library"

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as e:
            raise VoiceUnavailable("espeakng-loader is not installed") from e
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
        except OSError as e:
            raise VoiceUnavailable(f"cannot load eSpeak NG: {e}") from e
        data = Path(espeakng_loader.get_data_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                     ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        # Output mode 2 = AUDIO_OUTPUT_SYNCHRONOUS: samples come back through the callback.
        rate = lib.espeak_Initialize(2, 0, str(data.parent).encode(), 0)
        if rate <= 0:
            raise VoiceUnavailable("eSpeak NG did not initialise")
        self.sample_rate = int(rate)
        self._lib = lib
        self._chunks: list[np.ndarray] = []
        self._callback = self._CALLBACK(self._collect)  # keep a reference: ctypes does not
        lib.espeak_SetSynthCallback(self._callback)
        self._lock = threading.Lock()
        self._voice = ""

    @classmethod
    def shared(cls) -> "LibEspeak":
        with cls._make_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def _collect(self, wav: Any, n: int, events: Any) -> int:
        """libespeak's synthesis callback (ctypes pointers): keep each chunk of samples."""
        if n > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    def set_voice(self, language: str, rate_wpm: int) -> bool:
        """Choose the eSpeak voice (a language code such as "en", "de", "fr"); False if unknown."""
        with self._lock:
            ok = self._lib.espeak_SetVoiceByName(language.encode()) == 0
            self._lib.espeak_SetParameter(1, int(rate_wpm), 0)  # 1 = espeakRATE, words a minute
            self._voice = language if ok else self._voice
            return ok

    def synth(self, text: str) -> np.ndarray:
        data = text.encode("utf-8") + b"\0"
        with self._lock:
            self._chunks = []
            # flags: espeakCHARS_UTF8 (1) | espeakENDPAUSE (0x1000)
            self._lib.espeak_Synth(data, len(data), 0, 0, 0, 0x1001, None, None)
            self._lib.espeak_Synchronize()
            chunks, self._chunks = self._chunks, []
        return np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, np.int16)


def espeak_program() -> str | None:
    """The system's espeak-ng (or older espeak) program, if installed."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


class CliEspeak:
    """The system espeak-ng program: renders WAV through --stdout, or speaks with its own audio."""
    name = "espeak-ng program"

    def __init__(self, program: str, language: str, rate_wpm: int) -> None:
        self.program, self.language, self.rate = program, language, rate_wpm
        self.sample_rate = 22050
        self._proc: subprocess.Popen | None = None

    def _args(self, text: str) -> list[str]:
        return [self.program, "-v", self.language, "-s", str(self.rate), "--", text]

    def synth(self, text: str) -> np.ndarray:
        out = subprocess.run(self._args(text)[:-2] + ["--stdout", "--", text], capture_output=True,
                             timeout=30, check=False).stdout
        if not out:
            return np.zeros(0, np.int16)
        with wave.open(io.BytesIO(out), "rb") as w:
            self.sample_rate = w.getframerate()
            return np.frombuffer(w.readframes(w.getnframes()), np.int16)

    def speak(self, text: str) -> None:
        self._proc = subprocess.Popen(self._args(text), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._proc.wait()

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()


# -- playback and files ------------------------------------------------------------------------
def find_player() -> list[str] | None:
    """A command that plays a WAV file given as its last argument, or ["winsound"] on Windows."""
    if sys.platform == "win32":
        return ["winsound"]
    if sys.platform == "darwin" and shutil.which("afplay"):
        return ["afplay"]
    for cmd in (["paplay"], ["pw-play"], ["aplay", "-q"], ["ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"]):
        if shutil.which(cmd[0]):
            return cmd
    return None


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(samples.astype(np.int16).tobytes())


class Player:
    """Plays int16 samples through `command` (blocking), stoppable from another thread."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self._proc: subprocess.Popen | None = None

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        if samples.size == 0:
            return
        fd, name = tempfile.mkstemp(prefix="posecoach-", suffix=".wav")
        os.close(fd)
        try:
            write_wav(Path(name), samples, sample_rate)
            if sys.platform == "win32" and self.command == ["winsound"]:
                import winsound
                winsound.PlaySound(name, winsound.SND_FILENAME)
            else:
                self._proc = subprocess.Popen([*self.command, name], stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL)
                self._proc.wait()
        finally:
            os.unlink(name)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()


class WavRecorder:
    """Appends utterances to one mono 16-bit WAV file, and their texts to `<file>.txt`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._wav: wave.Wave_write | None = None
        self._rate = 0
        self.text_path = self.path.with_name(self.path.name + ".txt")
        self.text_path.write_text("", encoding="utf-8")

    def add(self, text: str, samples: np.ndarray, sample_rate: int) -> None:
        if self._wav is None:
            self._wav = wave.open(str(self.path), "wb")
            self._wav.setnchannels(1)
            self._wav.setsampwidth(2)
            self._wav.setframerate(sample_rate)
            self._rate = sample_rate
        elif sample_rate != self._rate and len(samples):  # clips (16 kHz) and eSpeak (22.05 kHz) mixed
            t = np.arange(int(len(samples) * self._rate / sample_rate)) * (sample_rate / self._rate)
            samples = np.rint(np.interp(t, np.arange(len(samples)), samples)).astype(np.int16)
        gap = np.zeros(int(GAP_S * self._rate), np.int16)
        self._wav.writeframes(np.concatenate([samples.astype(np.int16), gap]).tobytes())
        with open(self.text_path, "a", encoding="utf-8") as fh:
            fh.write(text.replace("\n", " ") + "\n")

    def close(self) -> None:
        if self._wav is not None:
            self._wav.close()
            self._wav = None


# -- the engine --------------------------------------------------------------------------------
class VoiceEngine:
    """Speaks cues on a worker thread. `say()` returns at once; see the module docstring.

    to_file: render into this WAV file instead of playing. speak: inject the blocking
    "utterance" function (tests); otherwise the best engine on this machine is chosen, and
    VoiceUnavailable is raised when there is none.
    clips: the natural-voice clips to play texts they cover (True: those bundled, if any; False:
    eSpeak for everything; or a ClipBank).
    """

    def __init__(self, to_file: str | Path | None = None, language: str = "en", rate_wpm: int = RATE_WPM,
                 speak: Callable[[str], None] | None = None, clips: "ClipBank | bool" = True) -> None:
        self.spoken: list[str] = []
        self.dropped = 0
        self.warnings: list[str] = []
        self._stop_current: Callable[[], None] = lambda: None
        self._recorder: WavRecorder | None = None
        if speak is not None:
            self.name, self._speak = "custom", speak
        else:
            self.name, self._speak = self._choose(to_file, language, rate_wpm)
            self.name, self._speak = self._with_clips(self.name, self._speak, clips)
        self._cond = threading.Condition()
        self._pending: str | None = None
        self._current: str | None = None
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="posecoach-voice", daemon=True)
        self._thread.start()

    def _choose(self, to_file: str | Path | None, language: str, rate: int) -> tuple[str, Callable[[str], None]]:
        synth: LibEspeak | CliEspeak | None = None
        try:
            synth = LibEspeak.shared()
            if not synth.set_voice(language, rate):
                self.warnings.append(f"no eSpeak voice for language {language!r}; speaking English")
                synth.set_voice("en", rate)
        except VoiceUnavailable as e:
            self.warnings.append(str(e))
            program = espeak_program()
            synth = CliEspeak(program, language, rate) if program else None
        if synth is None:
            raise VoiceUnavailable("no speech engine found (install espeakng-loader or espeak-ng)")
        if to_file is not None:
            rec = self._recorder = WavRecorder(Path(to_file))
            s = synth
            return f"{s.name} -> {to_file}", lambda text: rec.add(text, s.synth(text), s.sample_rate)
        command = find_player()
        if isinstance(synth, LibEspeak) and command is not None:
            player = Player(command)
            self._stop_current = player.stop
            lib = synth
            return f"{lib.name} via {command[0]}", lambda text: player.play(lib.synth(text), lib.sample_rate)
        program = espeak_program()
        if program is not None:
            cli = synth if isinstance(synth, CliEspeak) else CliEspeak(program, language, rate)
            self._stop_current = cli.stop
            return cli.name, cli.speak
        raise VoiceUnavailable("no audio player found (paplay, pw-play or aplay) to play speech")

    def _with_clips(self, name: str, speak: Callable[[str], None],
                    clips: "ClipBank | bool") -> tuple[str, Callable[[str], None]]:
        """Put the natural-voice clips (bundled, or the bank given) in front of eSpeak."""
        from posecoach.outputs.clips import ClipBank, clip_speaker
        bank = ClipBank.bundled() if clips is True else clips or None
        if bank is None:
            return name, speak
        if self._recorder is not None:
            rec = self._recorder
            return f"natural voice clips + {name}", clip_speaker(bank, rec.add, speak)
        command = find_player()
        if command is None:  # the espeak program plays by itself; clips need a player
            return name, speak
        player, stop_espeak = Player(command), self._stop_current

        def stop_both() -> None:
            player.stop()
            stop_espeak()

        self._stop_current = stop_both
        return (f"natural voice clips + {name}",
                clip_speaker(bank, lambda _text, samples, rate: player.play(samples, rate), speak))

    # -- the public surface ---------------------------------------------------------------------
    def say(self, text: str) -> None:
        """Queue `text`; replaces an utterance still waiting. Never blocks on speech."""
        text = text.strip()
        if not text:
            return
        with self._cond:
            if self._closing or text == self._current or text == self._pending:
                return  # the same words back to back are nagging, not help
            if self._pending is not None:
                self.dropped += 1
            self._pending = text
            self._cond.notify_all()

    def cancel(self) -> None:
        """Drop the waiting utterance and cut the current one short (e.g. on mute)."""
        with self._cond:
            if self._pending is not None:
                self.dropped += 1
            self._pending = None
        self._stop_current()

    def speaking(self) -> bool:
        """Whether something is being said or waits to be (the voice commands' guard listens to this)."""
        with self._cond:
            return self._current is not None or self._pending is not None

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is waiting or being said (tests, the end of a session)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and self._current is None, timeout)

    def close(self, timeout: float = 8.0) -> None:
        """Let the last words finish (up to `timeout` s), then stop the worker and close files."""
        self.wait_idle(timeout)
        with self._cond:
            self._closing = True
            self._pending = None
            self._cond.notify_all()
        self._thread.join(timeout=2.0)
        if self._recorder is not None:
            self._recorder.close()

    # -- the worker -----------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closing)
                if self._closing:
                    return
                text, self._pending, self._current = self._pending, None, self._pending
            assert text is not None, "woken with something to say"
            try:
                self._speak(text)
                self.spoken.append(text)
            except Exception as e:  # speech must never take the coach down
                self.warnings.append(f"speech failed: {e}")
            finally:
                with self._cond:
                    self._current = None
                    self._cond.notify_all()


class TextVoice:
    """The fallback: prints each cue (the screen shows it too)."""
    name = "text only"

    def __init__(self) -> None:
        self.spoken: list[str] = []
        self.dropped = 0
        self.warnings: list[str] = []

    def say(self, text: str) -> None:
        self.spoken.append(text)
        print(f"[coach] {text}", flush=True)

    def cancel(self) -> None:
        pass

    def speaking(self) -> bool:
        return False

    def wait_idle(self, timeout: float = 0.0) -> bool:
        return True

    def close(self, timeout: float = 0.0) -> None:
        pass


def make_voice(language: str = "en", to_file: str | Path | None = None,
               rate_wpm: int = RATE_WPM, notice: bool = True) -> VoiceEngine | TextVoice:
    """The best voice on this machine; $POSECOACH_VOICE_FILE renders to a WAV file instead.

    Falls back to TextVoice with a one-line notice on stderr (kept in `warnings` when `notice` is
    False: a muted session says it only if it is unmuted).
    """
    to_file = to_file or os.environ.get(ENV_FILE) or None
    try:
        return VoiceEngine(to_file=to_file, language=language, rate_wpm=rate_wpm)
    except VoiceUnavailable as e:
        text = TextVoice()
        text.warnings.append(f"{e}; cues are shown on screen only")
        if notice:
            print(f"posecoach: {text.warnings[-1]}", file=sys.stderr)
        return text
