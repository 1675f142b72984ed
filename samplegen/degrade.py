"""Webcam degradations: exposure, gamma, colour cast, blur, sensor noise, JPEG artefacts."""
from __future__ import annotations

import cv2
import numpy as np

from samplegen.scenario import WebcamSpec


def degrade(rgb: np.ndarray, spec: WebcamSpec, rng: np.random.Generator) -> np.ndarray:
    """Apply the webcam look to one RGB uint8 frame; returns a new RGB uint8 frame."""
    img = rgb.astype(np.float32) / 255.0
    if spec.dim != 1.0 or spec.gamma != 1.0:
        img = np.clip(img * spec.dim, 0, 1) ** (1.0 / spec.gamma)
    if spec.color_cast != (1.0, 1.0, 1.0):
        img = img * np.asarray(spec.color_cast, np.float32)[None, None]
    img = np.clip(img * 255.0, 0, 255)
    if spec.blur_px > 0:
        img = cv2.GaussianBlur(img, (0, 0), spec.blur_px)
    if spec.noise > 0:
        img = img + rng.normal(0.0, spec.noise, img.shape).astype(np.float32)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if spec.jpeg_quality > 0:
        ok, buf = cv2.imencode(".jpg", out[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(spec.jpeg_quality)])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1]
    return np.ascontiguousarray(out)
