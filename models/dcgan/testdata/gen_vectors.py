"""Writes parity.safetensors: the tutorial's networks and one training step
(plus the losses of a second), run in PyTorch with deterministic weights and
inputs that dcgan_test.go rebuilds in Go. Run from this directory:

    /usr/bin/python3 gen_vectors.py      # batch 4:  parity.safetensors
    /usr/bin/python3 gen_vectors.py 16   # batch 16 (the tutorial's): parity-b16.safetensors

Only outputs, BatchNorm statistics and a strided subset of each parameter's
change are stored, so the file stays small (the weights themselves are a
formula, see tutorial.param_value).
"""
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

import tutorial as T

B = int(sys.argv[1]) if len(sys.argv) > 1 else 4  # parity batch (the tutorial trains with 16)
SUBSET = 256   # elements of each parameter's change that are stored
IMG_STRIDE = 1 if B == 4 else 8  # images 0 and B-1 are stored whole at batch 4, every 8th value at 16


def pick_images(x):
    """Images 0 and B-1 of x [B,3,64,64], flattened and strided by IMG_STRIDE (samples() in Go)."""
    return x.detach()[[0, B - 1]].flatten()[::IMG_STRIDE] if IMG_STRIDE > 1 else x.detach()[[0, B - 1]]


def subset_index(n):
    return np.arange(0, n, max(1, n // SUBSET))[:SUBSET]


def run(dtype):
    """The tutorial's loop for two iterations in dtype; returns what is stored."""
    torch.manual_seed(0)
    torch.set_num_threads(1)
    input_shape = (3, T.IMAGE_SIZE, T.IMAGE_SIZE)
    net_discr = T.Discriminator(input_shape=input_shape)
    net_gener = T.Generator(output_shape=input_shape)
    T.set_parity_weights(net_discr)
    T.set_parity_weights(net_gener)
    net_discr, net_gener = net_discr.to(dtype), net_gener.to(dtype)
    before = {"g." + k: v.detach().clone() for k, v in net_gener.named_parameters()}
    before.update({"d." + k: v.detach().clone() for k, v in net_discr.named_parameters()})

    objective = nn.BCELoss()
    gen_optimizer = optim.Adam(params=net_gener.parameters(), lr=T.LEARNING_RATE, betas=(0.5, 0.999))
    dis_optimizer = optim.Adam(params=net_discr.parameters(), lr=T.LEARNING_RATE, betas=(0.5, 0.999))
    true_labels_v = torch.ones(B, dtype=dtype)
    fake_labels_v = torch.zeros(B, dtype=dtype)

    out = {}
    for it in range(2):
        batch_v = T.real_batch(B, it).to(dtype)
        gen_input_v = T.latent_batch(B, it).to(dtype)
        # --- the tutorial's training step ---
        gen_output_v = net_gener(gen_input_v)

        dis_optimizer.zero_grad()
        dis_output_true_v = net_discr(batch_v)
        dis_output_fake_v = net_discr(gen_output_v.detach())
        dis_loss = objective(dis_output_true_v, true_labels_v) + objective(dis_output_fake_v, fake_labels_v)
        dis_loss.backward()
        dis_optimizer.step()

        gen_optimizer.zero_grad()
        dis_output_v = net_discr(gen_output_v)
        gen_loss_v = objective(dis_output_v, true_labels_v)
        gen_loss_v.backward()
        gen_optimizer.step()
        # --- end ---
        out[f"step{it}.d_loss"] = dis_loss.detach().reshape(1)
        out[f"step{it}.g_loss"] = gen_loss_v.detach().reshape(1)
        if it == 0:
            out["step0.gen_output"] = pick_images(gen_output_v)
            out["step0.dis_output_true"] = dis_output_true_v.detach()
            out["step0.dis_output_fake"] = dis_output_fake_v.detach()
            out["step0.dis_output_gen"] = dis_output_v.detach()
            for prefix, net in (("g.", net_gener), ("d.", net_discr)):
                for k, v in net.named_parameters():
                    d = (v.detach() - before[prefix + k]).flatten()
                    out["step0.delta." + prefix + k] = d[torch.from_numpy(subset_index(d.numel()))]
                for k, v in net.named_buffers():
                    out["step0.buffer." + prefix + k] = v.detach().clone()
            net_gener.eval()
            with torch.no_grad():
                out["step0.eval_output"] = pick_images(net_gener(gen_input_v))
            net_gener.train()
    return out


def main():
    out = run(torch.float32)
    # Everything after the first update is ill-conditioned: Adam's first step
    # moves every weight by about lr*sign(gradient), so rounding flips the
    # sign of near-zero gradients. The same run in float64 measures how far
    # PyTorch's own float32 result is from the exact one; the Go test allows
    # a difference of that order.
    ref64 = run(torch.float64)
    for k, v in ref64.items():
        if k.startswith("step0.delta") or k.startswith("step0.buffer") or k.endswith("_loss") or k == "step0.eval_output":
            out["f64." + k] = v.to(torch.float32) if v.dtype == torch.float64 else v
    T.write_safetensors("parity.safetensors" if B == 4 else "parity-b%d.safetensors" % B, out)
    for k in ("step0.d_loss", "step0.g_loss", "step1.d_loss", "step1.g_loss"):
        print(k, float(out[k]), "float64:", float(ref64[k]))


if __name__ == "__main__":
    main()
