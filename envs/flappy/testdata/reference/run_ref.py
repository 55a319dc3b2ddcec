"""Runs the reference game logic and compares it with our trace, step by step.

Usage (see README.md):
  FLAPPY_REF_DIR=/tmp/ref /usr/bin/python3 run_ref.py
where /tmp/ref holds ref_input.json and go_trace.jsonl written by
  go test ./envs/flappy/ -run TestWriteReferenceInputs -args -reference-dir=/tmp/ref
and wrapped_flappy_bird.py (unmodified, from yenchenlin/DeepLearningFlappyBird/game/).
"""
import json
import os
import random
import sys

here = os.path.dirname(os.path.abspath(__file__))
ref_dir = os.environ["FLAPPY_REF_DIR"]
sys.path.insert(0, here)     # our pygame and flappy_bird_utils stand-ins
sys.path.insert(1, ref_dir)  # the reference's wrapped_flappy_bird.py

D = json.load(open(os.path.join(ref_dir, "ref_input.json")))
gaps = iter(D["gaps"])  # our generator's draws of the gap index
random.randint = lambda a, b: next(gaps)

import wrapped_flappy_bird as w  # noqa: E402

crash_state = []
orig_init = w.GameState.__init__


def init(self):
    # frame_step re-initialises the game inside the crashing step: keep the
    # state at the crash, which our trace reports.
    if hasattr(self, "playery"):
        crash_state.append(state(self))
    orig_init(self)


def state(g):
    return (g.playery, g.playerVelY, g.score,
            [(u["x"], u["y"] + w.PIPE_HEIGHT) for u in g.upperPipes])


w.GameState.__init__ = init
g = w.GameState()
ours = [json.loads(line) for line in open(os.path.join(ref_dir, "go_trace.jsonl"))]
mismatches = 0
for k, a in enumerate(D["actions"]):
    _, r, term = g.frame_step([1 - a, a])
    y, vy, score, pipes = crash_state.pop() if term else state(g)
    o = ours[k]
    same = (o["action"] == a and o["bird_y"] == y and o["bird_vy"] == vy and o["score"] == score
            and o["reward"] == r and o["done"] == term and len(o["pipes"]) == len(pipes)
            and all(p["x"] == x and p["gap_y"] == gy for p, (x, gy) in zip(o["pipes"], pipes)))
    if not same:
        mismatches += 1
        if mismatches <= 5:
            print("step", k + 1, "reference", (y, vy, score, r, term, pipes), "\n  ours", o)
print(len(D["actions"]), "steps,", sum(o["done"] for o in ours), "crashes,", mismatches, "mismatches")
sys.exit(1 if mismatches else 0)
