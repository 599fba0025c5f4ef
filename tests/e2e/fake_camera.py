"""A fake camera for Chromium: a YUV4MPEG2 (.y4m) file showing a QR code, which Chromium plays
in a loop as the camera when launched with --use-fake-device-for-media-stream and
--use-file-for-fake-video-capture=<file>."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import segno


def fake_camera_args(y4m: Path) -> list[str]:
    """Chromium's switches for a camera showing `y4m`, allowed without asking."""
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}",
    ]


def write_qr_y4m(
    path: Path, data: str, *, width: int = 640, height: int = 480, frames: int = 5
) -> Path:
    """Write `frames` frames of `data`'s QR code (as events/qr.py draws it: segno, error level
    M), black on white, centred, in 4:2:0 YUV: what a phone held up at the door would see."""
    matrix = np.array(list(segno.make(data, error="m").matrix_iter(scale=1, border=4)), dtype=bool)
    scale = int(min(width, height) * 0.8) // matrix.shape[0]
    assert scale >= 2, f"{data!r} needs more modules than a {width}x{height} frame can show"
    code = np.kron(matrix, np.ones((scale, scale), dtype=bool))
    luma = np.full((height, width), 255, dtype=np.uint8)
    top = (height - code.shape[0]) // 2
    left = (width - code.shape[1]) // 2
    luma[top : top + code.shape[0], left : left + code.shape[1]][code] = 0
    chroma = np.full((height // 2) * (width // 2), 128, dtype=np.uint8).tobytes()
    frame = b"FRAME\n" + luma.tobytes() + chroma + chroma
    header = f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * frames)
    return path
