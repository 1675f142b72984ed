"""samplegen: renders sample videos of the half-kneeling hip-flexor stretch with exact ground truth.

An optional extra (``pip install -e '.[samples]'``); the posecoach runtime never imports it.
``python -m samplegen render SCENARIO.toml`` renders one clip, ``python -m samplegen all`` every
scenario in sample_videos/scenarios/, ``python -m samplegen check CLIP`` reports MediaPipe's
detection rate. Heavy dependencies (torch, anny, pyrender) are imported only when rendering.
"""
