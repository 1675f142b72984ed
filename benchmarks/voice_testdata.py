"""Make the few small WAVs in tests/data/audio/ (development time only; see the README there).

    /work/data/issue13-kws/piper-venv/bin/python benchmarks/voice_testdata.py tests/data/audio

pause_resume.wav  "pause", a sentence, then "resume": Piper joe shifted -300 cents (not the
                  coach's pitch), tempo 1.1 and 0.9, room noise at 15 dB SNR, some reverb.
negative.wav      20 s of coach-like cues and everyday sentences (no command word) in Piper joe,
                  unshifted and shifted, with room noise at 20 dB.
alternatives.wav  "continue", "stop now", "that hurts" said alone (Piper joe -350 cents, 20 dB noise).
coach_echo.wav    the coach (Piper joe, unshifted) saying confirmations and cues with command words
                  ("Paused.", "Pause and breathe.", "Next.", "Stopping."), through the laptop
                  speaker -> room -> microphone echo path; coach_echo.json holds when it spoke.
"""
from __future__ import annotations

import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.voice_corpus import (SR, Renderer, compose, echo_path, finish, shift, to_int16,  # noqa: E402
                                     write_wav)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng, nrng = random.Random(13), np.random.default_rng(13)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        render = Renderer(tmp)
        # pause ... resume
        pause = shift(render("joe", "pause", rng), tmp, -250, 1.1)
        filler = shift(render("joe", "Okay, I will just catch my breath for a moment.", rng), tmp, -250, 1.0)
        resume = shift(render("joe", "resume", rng), tmp, -250, 0.9)
        at = [SR, SR + len(pause) + SR, 0]
        at[2] = at[1] + len(filler) + int(1.5 * SR)
        total = at[2] + len(resume) + SR
        x = finish(compose(list(zip(at, [pause, filler, resume])), total), 20.0, False, tmp, nrng)
        write_wav(out / "pause_resume.wav", to_int16(x), SR)
        truth = [{"word": "pause", "start_ms": at[0] // 16, "end_ms": (at[0] + len(pause)) // 16},
                 {"word": "resume", "start_ms": at[2] // 16, "end_ms": (at[2] + len(resume)) // 16}]
        (out / "pause_resume.json").write_text(json.dumps(truth, indent=1) + "\n")
        # the better-measured alternatives, said alone, another pitch and tempo, 20 dB
        clips, events, pos = [], [], SR
        for word, pitch, tempo in (("continue", -350, 1.0), ("stop now", -350, 1.1), ("that hurts", -350, 0.95)):
            clip = shift(render("joe", word, rng), tmp, pitch, tempo)
            clips.append((pos, clip))
            events.append({"word": word, "start_ms": pos // 16, "end_ms": (pos + len(clip)) // 16})
            pos += len(clip) + int(2.5 * SR)
        x = finish(compose(clips, pos), 20.0, False, tmp, nrng)
        write_wav(out / "alternatives.wav", to_int16(x), SR)
        (out / "alternatives.json").write_text(json.dumps(events, indent=1) + "\n")
        # negative: coach-like and everyday speech, no command words
        texts = ["Good. Hold it there and breathe.", "Tuck your tailbone under and don't arch your low back.",
                 "Could you pass me the water bottle on the table?", "It looks like rain this afternoon.",
                 "Ease back: keep your front knee over your ankle.", "I think the post arrives a bit later today.",
                 "Sit tall, chest up.", "That felt good, I can really feel it working."]
        parts, pos = [], SR // 2
        for i, text in enumerate(texts):
            clip = shift(render("joe", text, rng), tmp, 0 if i % 2 == 0 else 250, 1.0)
            parts.append((pos, clip))
            pos += len(clip) + int(SR * rng.uniform(0.4, 1.0))
        x = finish(compose(parts, pos), 20.0, False, tmp, nrng)
        write_wav(out / "negative.wav", to_int16(x), SR)
        # the coach's own voice, with command words, as echo
        parts, spans, pos = [], [], SR // 2
        for text in ("Paused.", "Pause and breathe.", "Next.", "Stopping."):
            clip = shift(render("joe", text, rng), tmp, 0, 1.0)
            parts.append((pos, clip))
            spans.append([pos // 16, (pos + len(clip)) // 16])
            pos += len(clip) + SR
        x = finish(echo_path(compose(parts, pos), tmp), 25.0, False, tmp, nrng)
        write_wav(out / "coach_echo.wav", to_int16(x), SR)
        (out / "coach_echo.json").write_text(json.dumps({"speaking": spans}, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
