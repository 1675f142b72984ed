"""Command line: list the fixed sentences, render the clips, compare encodings, export WAVs."""
from __future__ import annotations

import argparse
import sys
import wave
from pathlib import Path

from voicegen.bank import BITS, CLIP_RATE, OUT, build, read_manifest, verify, wanted_sentences


def _list(out: Path) -> int:
    clips = read_manifest(out)["clips"]
    missing = 0
    for s in wanted_sentences():
        has = s in clips
        missing += not has
        print(f"{'ok  ' if has else 'NEW '} {s}")
    print(f"{len(wanted_sentences())} sentences, {missing} without a clip")
    return 1 if missing else 0


def _export(out: Path, folder: Path) -> int:
    from posecoach.outputs.clips import decode
    folder.mkdir(parents=True, exist_ok=True)
    for text, e in read_manifest(out)["clips"].items():
        samples, rate = decode((out / e["file"]).read_bytes())
        with wave.open(str(folder / e["file"].replace(".pcv", ".wav")), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(samples.tobytes())
    print(f"wrote {len(read_manifest(out)['clips'])} WAV files to {folder}")
    return 0


def _compare(cache: Path | None, bits: int) -> int:
    from voicegen.audio import prepare
    from voicegen.bank import RawSource, default_cache
    from voicegen.compare import compare, table
    from voicegen.synth import LENGTH_SCALE
    raw = RawSource(cache or default_cache(), LENGTH_SCALE)
    refs = [prepare(*raw(s)) for s in wanted_sentences()]
    print(table(compare(refs)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voicegen", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help="clip folder (default posecoach/data/voice)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every fixed sentence and whether it has a clip (exit 1 if any has none)")
    p_render = sub.add_parser("render", help="render new or changed sentences (needs the voice extra)")
    p_render.add_argument("--bits", type=int, default=BITS, choices=(3, 4, 5, 6), help="bits a sample")
    p_render.add_argument("--rate", type=int, default=CLIP_RATE, help="clip sample rate, Hz")
    p_render.add_argument("--rerender", action="store_true", help="render every sentence again")
    p_render.add_argument("--reencode", action="store_true", help="encode every clip again from the cache")
    p_render.add_argument("--cache", type=Path, default=None, help="raw render cache folder")
    p_cmp = sub.add_parser("compare", help="size vs quality of candidate encodings (needs pesq, pystoi, soundfile)")
    p_cmp.add_argument("--cache", type=Path, default=None)
    p_cmp.add_argument("--bits", type=int, default=BITS)
    p_asr = sub.add_parser("asr", help="PocketSphinx word error rate: clips vs Piper vs eSpeak (needs pocketsphinx)")
    p_asr.add_argument("--cache", type=Path, default=None)
    sub.add_parser("verify", help="check that every sentence has a clip and every clip decodes")
    p_export = sub.add_parser("export", help="decode every clip to a WAV file, to listen to")
    p_export.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list(args.out)
    if args.command == "render":
        report = build(args.out, args.cache, args.bits, args.rerender, args.reencode, rate=args.rate)
        print(f"{len(report.encoded)} encoded ({len(report.rendered)} rendered by Piper), {len(report.kept)} kept, "
              f"{len(report.removed)} removed; {report.total_bytes / 1024:.0f} KB, "
              f"{report.total_samples / args.rate:.0f} s of speech")
        problems = verify(args.out)
        print("\n".join(problems) or "verified: every sentence has a clip and every clip decodes")
        return 1 if problems else 0
    if args.command == "compare":
        return _compare(args.cache, args.bits)
    if args.command == "asr":
        from voicegen.asr import wer_table
        from voicegen.bank import RawSource, default_cache
        from voicegen.synth import LENGTH_SCALE
        print(wer_table(wanted_sentences(), RawSource(args.cache or default_cache(), LENGTH_SCALE)))
        return 0
    if args.command == "verify":
        problems = verify(args.out)
        print("\n".join(problems) or "ok")
        return 1 if problems else 0
    return _export(args.out, args.folder)


if __name__ == "__main__":
    sys.exit(main())
