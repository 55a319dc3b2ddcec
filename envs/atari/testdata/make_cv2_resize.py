#!/usr/bin/python3
"""Writes cv2.resize's output for the test frames, so atari's Preprocess can be
checked against the resize the tutorial used (cv2.resize(obs, (64, 64)), whose
default interpolation is INTER_LINEAR).

Inputs: the PNG frames beside this script (written by
`go run ./cmd/arcade frames -game G -n 1 -seed 5 -o envs/atari/testdata`) and a
210x160 pattern the Go test computes the same way. Outputs: <name>.cv2.bin,
64x64x3 uint8 in cv2's HWC layout. Needs Debian's python3-opencv (4.6).

Run: /usr/bin/python3 envs/atari/testdata/make_cv2_resize.py
"""
import glob
import os

import cv2
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def pattern():
    y, x = np.mgrid[0:210, 0:160]
    out = np.zeros((210, 160, 3), np.uint8)
    for c in range(3):
        out[:, :, c] = ((x * 7 + y * 13 + c * 50) ^ (x * y)) & 255
    return out


inputs = {"pattern": pattern()}
for path in sorted(glob.glob(os.path.join(here, "*.png"))):
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    inputs[os.path.basename(path)[:-4]] = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
for name, img in inputs.items():
    small = cv2.resize(img, (64, 64))
    small.astype(np.uint8).tofile(os.path.join(here, name + ".cv2.bin"))
    print(name, img.shape, "->", small.shape)
