"""Every utterance of a corpus split with what the judge says of it (development time only).

    python -m benchmarks.voice_features --corpus DIR --out DIR2 [--splits dev] [--activity silero]

For each WAV of the split (benchmarks/voice_corpus.py's layout): the product's segmenter
(posecoach.control.segments) cuts utterances, the product's judge (posecoach.control.judge) decodes
each one short enough to be a command, and one JSON line per file is written to
DIR2/features_<split>_<activity>.jsonl: [start_ms, end_ms, quiet_before_ms, quiet_after_ms, word,
margin] per utterance (word None when too long or nothing decoded). benchmarks/voice_commands.py
tunes thresholds on these (dev only) and scores them.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.voice_texts import COMMAND_WORDS  # noqa: E402
from posecoach.control.activity import SileroActivity, VoiceActivity, WebRtcActivity  # noqa: E402
from posecoach.control.judge import WordJudge  # noqa: E402
from posecoach.control.microphone import load_wav_16k  # noqa: E402
from posecoach.control.segments import SegmentRules, UtteranceSegmenter  # noqa: E402
from posecoach.control.speech import load_engine  # noqa: E402

CHUNK = 1600


def activity(name: str) -> VoiceActivity:
    return SileroActivity() if name == "silero" else WebRtcActivity()


def features(args: tuple[str, str, str, list[str], int]) -> dict:
    corpus, rel, act, words, close_ms = args
    seg = UtteranceSegmenter(activity(act), SegmentRules(close_ms=close_ms))
    judge = WordJudge(load_engine(), words)
    x = load_wav_16k(Path(corpus) / rel)
    rows, busy = [], 0.0
    for i in range(0, len(x), CHUNK):
        t = time.process_time()
        for u in seg.feed(x[i:i + CHUNK], i * 1000 // 16000):
            v = judge.judge(u.samples, u.noise) if len(u.samples) else None
            rows.append([u.start_ms, u.end_ms, u.quiet_before_ms, u.quiet_after_ms,
                         v.word if v else None, round(v.margin, 2) if v else None,
                         round(v.over_fillers, 2) if v else None])
        busy += time.process_time() - t
    return {"path": rel, "utterances": rows, "busy": busy, "seconds": len(x) / 16000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--splits", default="dev,heldout,espeak")
    ap.add_argument("--activity", default="silero", choices=["silero", "webrtc"])
    ap.add_argument("--words", default=",".join(COMMAND_WORDS))
    ap.add_argument("--close-ms", type=int, default=300)
    ap.add_argument("--procs", type=int, default=2)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    for split in a.splits.split(","):
        files = sorted(str(p.relative_to(a.corpus).with_suffix(".wav")) for p in (a.corpus / split).glob("*.json"))
        jobs = [(str(a.corpus), f, a.activity, a.words.split(","), a.close_ms) for f in files]
        with Pool(a.procs) as pool:
            res = pool.map(features, jobs, chunksize=1)
        out = a.out / f"features_{split}_{a.activity}_c{a.close_ms}.jsonl"
        out.write_text("".join(json.dumps(r) + "\n" for r in res))
        print(split, len(res), "files,", sum(len(r["utterances"]) for r in res), "utterances,",
              f"RTF {sum(r['busy'] for r in res) / sum(r['seconds'] for r in res):.3f}", flush=True)


if __name__ == "__main__":
    main()
