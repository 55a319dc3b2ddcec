#!/usr/bin/python3
"""Makes the Grid test vectors: inputs and torchvision's output for them.

Run with Debian's python (torch 1.13, torchvision 0.14) from this directory:

    /usr/bin/python3 gen_grid.py

For each case it writes <name>.f32 (the input, float32 little-endian, NCHW
row-major) and <name>.png (torchvision.utils.save_image(x, normalize=True),
i.e. make_grid(nrow=8, padding=2, pad_value=0, normalize=True) followed by
mul(255).add_(0.5).clamp_(0,255).to(uint8)), and lists the cases with their
shapes in grid_cases.json, which plots/grid_test.go reads.
"""
import json

import torch
import torchvision
import torchvision.utils as vutils


def main():
    torch.manual_seed(20261123)
    cases = {
        # A DCGAN generator's tanh output: 16 images in [-1,1], two full rows.
        "tanh16": torch.tanh(1.5 * torch.randn(16, 3, 16, 16)),
        # 10 images: the second row is partial (padding fills the rest).
        "tanh10": torch.tanh(torch.randn(10, 3, 7, 5)),
        # Grey pixels in [0,255], replicated to 3 channels like torchvision.
        "gray255": torch.randint(0, 256, (5, 1, 6, 9)).float(),
        # One image: make_grid returns it without padding.
        "single": torch.randn(1, 3, 4, 6) * 3 + 1,
    }
    manifest = []
    for name, x in cases.items():
        x = x.contiguous().float()
        with open(f"{name}.f32", "wb") as f:
            f.write(x.numpy().astype("<f4").tobytes())
        vutils.save_image(x, f"{name}.png", normalize=True)
        manifest.append({"name": name, "shape": list(x.shape),
                         "input": f"{name}.f32", "expected": f"{name}.png"})
    with open("grid_cases.json", "w") as f:
        json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__,
                   "cases": manifest}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
