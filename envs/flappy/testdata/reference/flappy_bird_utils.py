"""Stand-in for the reference's flappy_bird_utils: sprite sizes and our hit masks."""
import json
import os

D = json.load(open(os.path.join(os.environ["FLAPPY_REF_DIR"], "ref_input.json")))


class Img:
    def __init__(self, w, h):
        self.w, self.h = w, h

    def get_width(self):
        return self.w

    def get_height(self):
        return self.h


class _Sound:
    def play(self):
        pass


class _Sounds(dict):
    def __missing__(self, key):
        return _Sound()


def load():
    images = {"player": [Img(34, 24)] * 3, "pipe": [Img(52, 320)] * 2,
              "background": Img(288, 512), "base": Img(336, 112)}
    hitmasks = {"player": D["player"], "pipe": D["pipe"]}  # indexed [x][y], as pygame's
    return images, _Sounds(), hitmasks
