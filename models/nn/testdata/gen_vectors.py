#!/usr/bin/python3
"""Generates models/nn/testdata/vectors.json: PyTorch reference values for the
nn layers (forward output, gradients w.r.t. the input and every parameter,
and batch-norm running statistics after one training step).

Run with Debian's python3-torch (1.13):  /usr/bin/python3 models/nn/testdata/gen_vectors.py
The loss is sum(y * w) with w = 0.5 + 0.01 * arange(y.numel()).reshape(y.shape),
the same in the Go test, so every output element gets a different gradient.
"""
import json
import os

import torch
import torch.nn as nn

torch.manual_seed(1234)
torch.set_num_threads(1)


def t2j(t):
    t = t.detach().to(torch.float64)
    return {"dims": list(t.shape), "data": [float("%.8g" % v) for v in t.flatten().tolist()]}


def run(name, module, x_dims, layer, args, train=True, prep=None):
    x = (torch.randn(*x_dims) * 1.5 + 0.2).requires_grad_(True)
    if prep:
        prep(module)
    module.train(train)
    params_before = {k: t2j(v) for k, v in module.state_dict().items()}
    y = module(x)
    w = 0.5 + 0.01 * torch.arange(y.numel(), dtype=torch.float32).reshape(y.shape)
    loss = (y * w).sum()
    loss.backward()
    grads = {"x": t2j(x.grad)}
    for k, p in module.named_parameters():
        grads[k] = t2j(p.grad)
    state_after = {k: t2j(v) for k, v in module.state_dict().items() if "running" in k or "num_batches" in k
                   or (getattr(module, "keep_u", False) and k == "weight_u")}
    return {
        "name": name, "layer": layer, "args": args, "train": train,
        "x": t2j(x), "params": params_before, "y": t2j(y), "grads": grads, "state_after": state_after,
    }


def sn(m):
    """m under torch.nn.utils.spectral_norm; its state_after keeps the updated u."""
    m = torch.nn.utils.spectral_norm(m)
    m.keep_u = True
    return m


def randomize_bn(m):
    for mod in m.modules():
        if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                mod.weight.copy_(torch.rand_like(mod.weight) + 0.5)
                mod.bias.copy_(torch.randn_like(mod.bias) * 0.3)
                mod.running_mean.copy_(torch.randn_like(mod.running_mean) * 0.2)
                mod.running_var.copy_(torch.rand_like(mod.running_var) + 0.5)
                mod.num_batches_tracked.fill_(3)


class Chain(nn.Module):
    """conv3x3 + BN + ReLU + maxpool2 + flatten + linear: the DQN's pattern."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, 1, 1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 4 * 4, 5)
        self.bn1 = nn.BatchNorm1d(5)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)
        return self.bn1(self.fc(torch.flatten(x, 1)))


class GenChain(nn.Module):
    """convT(1x1->4x4) + BN + ReLU + convT(s2) + tanh: the generator's pattern."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.ConvTranspose2d(5, 4, 4, 1, 0, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.c2 = nn.ConvTranspose2d(4, 3, 4, 2, 1, bias=False)

    def forward(self, x):
        return torch.tanh(self.c2(torch.relu(self.bn(self.c1(x)))))


class ChainS2Pool(nn.Module):
    """strided conv (channels-last internally) + BN + ReLU + maxpool2."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 4, 2, 1)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x):
        return torch.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)


cases = [
    run("conv_k3s1p1", nn.Conv2d(3, 4, 3, 1, 1, bias=True), [2, 3, 6, 6], "conv", [4, 3, 1, 1, True]),
    run("conv_k4s2p1", nn.Conv2d(3, 5, 4, 2, 1, bias=False), [2, 3, 8, 8], "conv", [5, 4, 2, 1, False]),
    run("conv_k4s1p0_full", nn.Conv2d(3, 1, 4, 1, 0, bias=False), [2, 3, 4, 4], "conv", [1, 4, 1, 0, False]),
    run("conv_k3s2p0", nn.Conv2d(2, 3, 3, 2, 0, bias=True), [2, 2, 7, 7], "conv", [3, 3, 2, 0, True]),
    run("convT_k4s1p0", nn.ConvTranspose2d(5, 3, 4, 1, 0, bias=False), [2, 5, 1, 1], "convT", [3, 4, 1, 0, False]),
    run("convT_k4s2p1", nn.ConvTranspose2d(4, 3, 4, 2, 1, bias=True), [2, 4, 3, 3], "convT", [3, 4, 2, 1, True]),
    run("convT_k4s2p0", nn.ConvTranspose2d(2, 3, 4, 2, 0, bias=False), [1, 2, 2, 3], "convT", [3, 4, 2, 0, False]),
    run("convT_k3s2p1", nn.ConvTranspose2d(4, 3, 3, 2, 1, bias=True), [2, 4, 3, 3], "convT", [3, 3, 2, 1, True]),
    run("convT_k3s1p1", nn.ConvTranspose2d(2, 3, 3, 1, 1, bias=True), [1, 2, 4, 4], "convT", [3, 3, 1, 1, True]),
    run("bn2d_train", nn.BatchNorm2d(3), [4, 3, 4, 4], "bn2d", [], True, randomize_bn),
    run("bn2d_eval", nn.BatchNorm2d(3), [4, 3, 4, 4], "bn2d", [], False, randomize_bn),
    run("bn1d_train", nn.BatchNorm1d(5), [4, 5], "bn1d", [], True, randomize_bn),
    run("bn1d_eval", nn.BatchNorm1d(5), [4, 5], "bn1d", [], False, randomize_bn),
    run("maxpool2", nn.MaxPool2d(2), [2, 3, 4, 6], "maxpool", [2]),
    run("maxpool4", nn.MaxPool2d(4), [1, 2, 8, 4], "maxpool", [4]),
    run("linear_bias", nn.Linear(6, 4), [3, 6], "linear", [4, True]),
    run("linear_nobias", nn.Linear(6, 2, bias=False), [3, 6], "linear", [2, False]),
    run("chain_dqn", Chain(), [4, 3, 8, 8], "chain_dqn", [], True, randomize_bn),
    run("chain_gen", GenChain(), [3, 5, 1, 1], "chain_gen", [], True, randomize_bn),
    run("chain_s2pool", ChainS2Pool(), [2, 3, 8, 8], "chain_s2pool", [], True, randomize_bn),
    # Strides other than 2 (space-to-depth by the stride; the DQN's small network has 8x8/4).
    run("conv_k8s4p2", nn.Conv2d(4, 3, 8, 4, 2, bias=True), [2, 4, 12, 12], "conv", [3, 8, 4, 2, True]),
    run("conv_k6s3p0", nn.Conv2d(2, 3, 6, 3, 0, bias=False), [2, 2, 9, 9], "conv", [3, 6, 3, 0, False]),
    run("conv_k8s4p1_generic", nn.Conv2d(2, 3, 8, 4, 1, bias=True), [1, 2, 11, 11], "conv", [3, 8, 4, 1, True]),
    run("convT_k8s4p2", nn.ConvTranspose2d(3, 2, 8, 4, 2, bias=True), [2, 3, 3, 3], "convT", [2, 8, 4, 2, True]),
    # Spectral normalisation (nn.ParamSpectralNorm = 1), training mode: torch.nn.utils.spectral_norm's
    # algorithm (v = normalize(W^T u), u = normalize(W v), sigma = u^T W v; u persistent as "weight_u").
    run("conv_sn_k4s2p1", sn(nn.Conv2d(3, 4, 4, 2, 1, bias=True)), [2, 3, 8, 8], "conv_sn", [4, 4, 2, 1, True]),
    run("conv_sn_k3s1p1", sn(nn.Conv2d(3, 5, 3, 1, 1, bias=False)), [2, 3, 6, 6], "conv_sn", [5, 3, 1, 1, False]),
    run("linear_sn", sn(nn.Linear(6, 4)), [3, 6], "linear_sn", [4, True]),
    # Space-to-depth depths of 32 (a multiple of 32, at most 128): the input gradient of the convolution and
    # the output of the transposed one are one product over the padded windows (nhwcPlan.adjointProduct).
    run("conv_k4s2p1_c8", nn.Conv2d(8, 5, 4, 2, 1, bias=True), [2, 8, 8, 8], "conv", [5, 4, 2, 1, True]),
    run("convT_k4s2p1_c8", nn.ConvTranspose2d(6, 8, 4, 2, 1, bias=False), [2, 6, 4, 4], "convT", [8, 4, 2, 1, False]),
]
for c in cases:
    if c["layer"].endswith("_sn"):
        # Our variables: the raw weight is "weight", v is not kept (recomputed from u in training mode).
        c["params"] = {("weight" if k == "weight_orig" else k): v for k, v in c["params"].items() if k != "weight_v"}
        c["grads"] = {("weight" if k == "weight_orig" else k): v for k, v in c["grads"].items()}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print("wrote", out, os.path.getsize(out), "bytes,", len(cases), "cases")
