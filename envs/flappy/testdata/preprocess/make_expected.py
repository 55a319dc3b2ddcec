"""Expected 64x64 frames for TestPreprocessMatchesTorchBilinear.

Reads the screens *.png written by `go test -run TestPreprocessMatchesTorchBilinear
-update ./envs/flappy/` and writes *.expected.txt (64 lines of 0/1) with an
implementation independent of ours: torch's bilinear resize
(F.interpolate, align_corners=False: OpenCV INTER_LINEAR's half-pixel
sampling, no antialiasing), rounded to uint8 as cv2 does, then OpenCV's
fixed-point COLOR_BGR2GRAY applied to RGB data (as the reference does), then
threshold > 1.

Run with Debian's python: /usr/bin/python3 make_expected.py (in this folder).
"""
import glob

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

for path in sorted(glob.glob("*.png")):
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64)  # [512, 288, 3]
    x = torch.from_numpy(rgb).permute(2, 0, 1)[None]  # [1, 3, 512, 288]
    small = F.interpolate(x, size=(64, 64), mode="bilinear", align_corners=False)[0]
    small = torch.floor(small + 0.5).to(torch.int64).permute(1, 2, 0).numpy()  # [64, 64, 3]
    r, g, b = small[..., 0], small[..., 1], small[..., 2]
    gray = (r * 1868 + g * 9617 + b * 4899 + 8192) >> 14  # BGR2GRAY on RGB data
    on = (gray > 1).astype(np.uint8)
    with open(path[:-4] + ".expected.txt", "w") as f:
        for row in on:
            f.write("".join(str(v) for v in row) + "\n")
    print(path, int(on.sum()), "pixels on")
