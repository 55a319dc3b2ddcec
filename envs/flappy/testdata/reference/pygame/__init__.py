"""Minimal stand-in for the parts of pygame that wrapped_flappy_bird.py uses (no drawing)."""
from . import surfarray, event, locals, display, time  # noqa: F401


def init():
    pass


class Rect:
    def __init__(self, x, y, w, h):
        self.x, self.y, self.width, self.height = int(x), int(y), int(w), int(h)

    def clip(self, o):
        x0, y0 = max(self.x, o.x), max(self.y, o.y)
        x1 = min(self.x + self.width, o.x + o.width)
        y1 = min(self.y + self.height, o.y + o.height)
        if x1 <= x0 or y1 <= y0:
            return Rect(self.x, self.y, 0, 0)
        return Rect(x0, y0, x1 - x0, y1 - y0)
