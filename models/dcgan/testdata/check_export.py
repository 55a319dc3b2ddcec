"""Checks that `arcade export gan` output loads into the tutorial's own
modules with load_state_dict(strict=True), and that the generator in eval()
mode reproduces `arcade sample -o x.safetensors` images.

    arcade export gan -dir CKPT -o OUT
    arcade sample -dir CKPT -n 8 -o OUT/samples.safetensors
    /usr/bin/python3 check_export.py OUT
"""
import os
import sys

import torch

import tutorial as T


def main(out):
    shape = (3, T.IMAGE_SIZE, T.IMAGE_SIZE)
    gen, dis = T.Generator(output_shape=shape), T.Discriminator(input_shape=shape)
    gsd = T.read_safetensors(os.path.join(out, "generator.safetensors"))
    dsd = T.read_safetensors(os.path.join(out, "discriminator.safetensors"))
    gen.load_state_dict(gsd, strict=True)
    dis.load_state_dict(dsd, strict=True)
    for k, v in list(gen.state_dict().items()) + list(dis.state_dict().items()):
        if k.endswith("num_batches_tracked"):
            assert v.dtype == torch.int64, (k, v.dtype)
    print("load_state_dict(strict=True): ok;", "num_batches_tracked",
          int(gen.state_dict()["pipe.1.num_batches_tracked"]), int(dis.state_dict()["conv_pipe.3.num_batches_tracked"]))
    samples = os.path.join(out, "samples.safetensors")
    if os.path.exists(samples):
        s = T.read_safetensors(samples)
        gen.eval()
        with torch.no_grad():
            imgs = gen(s["z"])
        diff = (imgs - s["images"]).abs().max().item()
        print("eval() generator vs arcade sample: max abs difference %.2e" % diff)
        assert diff < 1e-3, diff
        dis.eval()
        with torch.no_grad():
            print("discriminator on the samples:", dis(imgs).numpy().round(3)[:8])
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
