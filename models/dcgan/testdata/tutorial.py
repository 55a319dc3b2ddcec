"""The tutorial's own PyTorch modules (Lapan, Deep RL Hands-On, ch. 3,
03_atari_gan.py), the shared deterministic weights and inputs, and a tiny
safetensors reader/writer (this machine has no safetensors package).

Used by gen_vectors.py (parity vectors for dcgan_test.go) and by
check_export.py (loads `arcade export gan` files with load_state_dict).
Run with Debian's /usr/bin/python3 (torch 1.13).
"""
import json
import math
import struct

import numpy as np
import torch
import torch.nn as nn

LATENT_VECTOR_SIZE = 100
DISCR_FILTERS = 64
GENER_FILTERS = 64
BATCH_SIZE = 16
LEARNING_RATE = 0.0001
IMAGE_SIZE = 64


# --- copied from the tutorial ---
class Discriminator(nn.Module):
    def __init__(self, input_shape):
        super(Discriminator, self).__init__()
        # this pipe converges image into the single number
        self.conv_pipe = nn.Sequential(
            nn.Conv2d(in_channels=input_shape[0], out_channels=DISCR_FILTERS,
                      kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=DISCR_FILTERS, out_channels=DISCR_FILTERS*2,
                      kernel_size=4, stride=2, padding=1),
            nn.BatchNorm2d(DISCR_FILTERS*2),
            nn.ReLU(),
            nn.Conv2d(in_channels=DISCR_FILTERS * 2, out_channels=DISCR_FILTERS * 4,
                      kernel_size=4, stride=2, padding=1),
            nn.BatchNorm2d(DISCR_FILTERS * 4),
            nn.ReLU(),
            nn.Conv2d(in_channels=DISCR_FILTERS * 4, out_channels=DISCR_FILTERS * 8,
                      kernel_size=4, stride=2, padding=1),
            nn.BatchNorm2d(DISCR_FILTERS * 8),
            nn.ReLU(),
            nn.Conv2d(in_channels=DISCR_FILTERS * 8, out_channels=1,
                      kernel_size=4, stride=1, padding=0),
            nn.Sigmoid()
        )

    def forward(self, x):
        conv_out = self.conv_pipe(x)
        return conv_out.view(-1, 1).squeeze(dim=1)


class Generator(nn.Module):
    def __init__(self, output_shape):
        super(Generator, self).__init__()
        # pipe deconvolves input vector into (3, 64, 64) image
        self.pipe = nn.Sequential(
            nn.ConvTranspose2d(in_channels=LATENT_VECTOR_SIZE, out_channels=GENER_FILTERS * 8,
                               kernel_size=4, stride=1, padding=0),
            nn.BatchNorm2d(GENER_FILTERS * 8),
            nn.ReLU(),
            nn.ConvTranspose2d(in_channels=GENER_FILTERS * 8, out_channels=GENER_FILTERS * 4,
                               kernel_size=4, stride=2, padding=1),
            nn.BatchNorm2d(GENER_FILTERS * 4),
            nn.ReLU(),
            nn.ConvTranspose2d(in_channels=GENER_FILTERS * 4, out_channels=GENER_FILTERS * 2,
                               kernel_size=4, stride=2, padding=1),
            nn.BatchNorm2d(GENER_FILTERS * 2),
            nn.ReLU(),
            nn.ConvTranspose2d(in_channels=GENER_FILTERS * 2, out_channels=GENER_FILTERS,
                               kernel_size=4, stride=2, padding=1),
            nn.BatchNorm2d(GENER_FILTERS),
            nn.ReLU(),
            nn.ConvTranspose2d(in_channels=GENER_FILTERS, out_channels=output_shape[0],
                               kernel_size=4, stride=2, padding=1),
            nn.Tanh()
        )

    def forward(self, x):
        return self.pipe(x)
# --- end of the tutorial's code ---


def param_value(key, n, ndim):
    """The shared deterministic value of parameter `key` ("pipe.3.weight"),
    flattened, n elements. Must match dcgan.ParityWeight in Go."""
    layer = int(key.split(".")[1])
    name = key.split(".")[2]
    i = np.arange(n, dtype=np.float64)
    if name == "weight" and ndim == 4:      # conv / transposed conv kernel
        v = 0.04 * np.sin(0.7 * i + 1.1 * layer + 0.3)
    elif name == "bias" and ndim == 1 and layer in CONV_LAYERS[key.split(".")[0]]:
        v = 0.02 * np.cos(0.37 * i + layer)
    elif name == "weight":                   # BatchNorm gamma
        v = 1.0 + 0.2 * np.sin(0.53 * i + layer)
    else:                                    # BatchNorm beta
        v = 0.1 * np.cos(0.29 * i + 0.5 * layer)
    return v.astype(np.float32)


CONV_LAYERS = {"pipe": {0, 3, 6, 9, 12}, "conv_pipe": {0, 2, 5, 8, 11}}


def set_parity_weights(net):
    with torch.no_grad():
        for key, p in net.named_parameters():
            p.copy_(torch.from_numpy(param_value(key, p.numel(), p.dim())).view_as(p))


def parity_input(n, freq, phase, amp):
    """amp * sin(freq*i + phase), i = 0..n-1, as float32 (dcgan.ParityInput in Go)."""
    i = np.arange(n, dtype=np.float64)
    return (amp * np.sin(freq * i + phase)).astype(np.float32)


def real_batch(b, step):
    return torch.from_numpy(parity_input(b * 3 * 64 * 64, 0.0131, 0.7 + step, 0.9)).view(b, 3, 64, 64)


def latent_batch(b, step):
    return torch.from_numpy(parity_input(b * LATENT_VECTOR_SIZE, 0.917, 0.2 + step, 1.5)).view(b, LATENT_VECTOR_SIZE, 1, 1)


# --- safetensors, by hand ---
_DT = {"F32": (np.float32, torch.float32), "I64": (np.int64, torch.int64), "F64": (np.float64, torch.float64)}


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        a = np.ascontiguousarray(a).reshape(a.shape)  # ascontiguousarray makes 0-d arrays 1-d
        dt = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64", np.dtype(np.float64): "F64"}[a.dtype]
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        npdt, _ = _DT[info["dtype"]]
        s, e = info["data_offsets"]
        a = np.frombuffer(data[base + s:base + e], dtype=np.dtype(npdt).newbyteorder("<")).astype(npdt)
        out[name] = torch.from_numpy(a.reshape(info["shape"]).copy())
    return out
