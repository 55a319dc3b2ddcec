#!/usr/bin/python3
"""PyTorch twin of bench/nets.go: times one training step of the DCGAN (batch 16,
both networks, both Adam updates) or the DQN (batch 32, target forward included;
dqn: the reference's network, dqn-small: the fast preset's)
and prints "RESULT median_s=X". Run by `go run ./bench`; alone:

    /usr/bin/python3 bench/torch_step.py --model dqn --threads 2
"""
import argparse
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--model", choices=["dcgan", "dqn", "dqn-small"])
p.add_argument("--layers", action="store_true", help="time each layer alone (twin of bench/layers.go)")
p.add_argument("--steps", type=int, default=10)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--device", default="cpu")
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)
dev = torch.device(args.device)


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize()


def dcgan():
    g = nn.Sequential(
        nn.ConvTranspose2d(100, 512, 4, 1, 0), nn.BatchNorm2d(512), nn.ReLU(),
        nn.ConvTranspose2d(512, 256, 4, 2, 1), nn.BatchNorm2d(256), nn.ReLU(),
        nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Tanh()).to(dev)
    d = nn.Sequential(
        nn.Conv2d(3, 64, 4, 2, 1), nn.ReLU(),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(),
        nn.Conv2d(128, 256, 4, 2, 1), nn.BatchNorm2d(256), nn.ReLU(),
        nn.Conv2d(256, 512, 4, 2, 1), nn.BatchNorm2d(512), nn.ReLU(),
        nn.Conv2d(512, 1, 4, 1, 0), nn.Sigmoid()).to(dev)
    loss = nn.BCELoss()
    g_opt = torch.optim.Adam(g.parameters(), lr=1e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=1e-4, betas=(0.5, 0.999))
    real = torch.randn(16, 3, 64, 64, device=dev)
    ones = torch.ones(16, device=dev)
    zeros = torch.zeros(16, device=dev)

    def step():
        z = torch.randn(16, 100, 1, 1, device=dev)
        fake = g(z)
        d_opt.zero_grad()
        dl = loss(d(real).view(-1), ones) + loss(d(fake.detach()).view(-1), zeros)
        dl.backward()
        d_opt.step()
        g_opt.zero_grad()
        gl = loss(d(fake).view(-1), ones)
        gl.backward()
        g_opt.step()
        return dl.item() + gl.item()
    return step


class QNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(4, 32, 3, 1, 1), nn.BatchNorm2d(32)
        self.conv2, self.bn2 = nn.Conv2d(32, 32, 3, 1, 1), nn.BatchNorm2d(32)
        self.fc1, self.bn3 = nn.Linear(8192, 512), nn.BatchNorm1d(512)
        self.fc2 = nn.Linear(512, 2)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        x = torch.max_pool2d(torch.relu(self.bn2(self.conv2(x))), 2)
        x = torch.relu(self.bn3(self.fc1(torch.flatten(x, 1))))
        return self.fc2(x)


class SmallQNet(nn.Module):
    """Twin of models/dqn.SmallQNet, the fast preset's network."""
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(4, 32, 8, 4, 2), nn.BatchNorm2d(32)
        self.conv2, self.bn2 = nn.Conv2d(32, 64, 4, 2, 1), nn.BatchNorm2d(64)
        self.fc1, self.bn3 = nn.Linear(4096, 256), nn.BatchNorm1d(256)
        self.fc2 = nn.Linear(256, 2)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        x = torch.relu(self.bn3(self.fc1(torch.flatten(x, 1))))
        return self.fc2(x)


def dqn(net=QNet):
    online, target = net().to(dev), net().to(dev)
    target.load_state_dict(online.state_dict())
    target.eval()
    opt = torch.optim.Adam(online.parameters(), lr=2e-4, betas=(0.9, 0.999))
    s = torch.randn(32, 4, 64, 64, device=dev)
    s2 = torch.randn(32, 4, 64, 64, device=dev)
    a = (torch.arange(32, device=dev) % 2)
    r = torch.full((32,), 0.1, device=dev)
    term = torch.zeros(32, device=dev)
    onehot = torch.nn.functional.one_hot(a, 2).float()

    def step():
        with torch.no_grad():
            y = r + 0.99 * (1 - term) * target(s2).max(1).values
        qa = (online(s) * onehot).sum(1)
        loss = ((y - qa) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    return step


def layers():
    class BRP(nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm2d(32)

        def forward(self, x):
            return torch.max_pool2d(torch.relu(self.bn(x)), 2)
    cases = [
        ("D.conv1 3->64 k4s2p1", [16, 3, 64, 64], nn.Conv2d(3, 64, 4, 2, 1)),
        ("D.conv2 64->128 k4s2p1", [16, 64, 32, 32], nn.Conv2d(64, 128, 4, 2, 1)),
        ("D.conv3 128->256 k4s2p1", [16, 128, 16, 16], nn.Conv2d(128, 256, 4, 2, 1)),
        ("D.conv4 256->512 k4s2p1", [16, 256, 8, 8], nn.Conv2d(256, 512, 4, 2, 1)),
        ("G.convT1 100->512 k4s1p0", [16, 100, 1, 1], nn.ConvTranspose2d(100, 512, 4, 1, 0)),
        ("G.convT2 512->256 k4s2p1", [16, 512, 4, 4], nn.ConvTranspose2d(512, 256, 4, 2, 1)),
        ("G.convT3 256->128 k4s2p1", [16, 256, 8, 8], nn.ConvTranspose2d(256, 128, 4, 2, 1)),
        ("G.convT4 128->64 k4s2p1", [16, 128, 16, 16], nn.ConvTranspose2d(128, 64, 4, 2, 1)),
        ("G.convT5 64->3 k4s2p1", [16, 64, 32, 32], nn.ConvTranspose2d(64, 3, 4, 2, 1)),
        ("Q.conv1 4->32 k3s1p1", [32, 4, 64, 64], nn.Conv2d(4, 32, 3, 1, 1)),
        ("Q.conv2 32->32 k3s1p1", [32, 32, 32, 32], nn.Conv2d(32, 32, 3, 1, 1)),
        ("Q.bn+relu+pool 32x64x64", [32, 32, 64, 64], BRP()),
        ("Q.fc1 8192->512", [32, 8192], nn.Linear(8192, 512)),
    ]
    for name, dims, mod in cases:
        mod = mod.to(dev)
        x = torch.randn(*dims, device=dev, requires_grad=True)
        ts = []
        for i in range(args.warmup + args.steps):
            t0 = time.perf_counter()
            y = mod(x)
            (y * y).sum().backward()
            sync()
            if i >= args.warmup:
                ts.append(time.perf_counter() - t0)
            x.grad = None
            mod.zero_grad()
        print("LAYER side=torch %-26s fwd+bwd_ms=%.1f" % (name, 1000 * statistics.median(ts)))


if args.layers:
    layers()
    sys.exit(0)
if not args.model:
    p.error("--model is required (or --layers)")
step = {"dcgan": dcgan, "dqn": dqn, "dqn-small": lambda: dqn(SmallQNet)}[args.model]()
for _ in range(args.warmup):
    step()
sync()
times = []
cpu0 = time.process_time()
faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(args.steps):
    t0 = time.perf_counter()
    step()
    sync()
    times.append(time.perf_counter() - t0)
cpu = (time.process_time() - cpu0) / args.steps
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults0) / args.steps
times.sort()
print("torch %s steps (%s, %d threads, %s): %s" % (
    args.model, torch.__version__, torch.get_num_threads(), dev, " ".join("%.3f" % t for t in times)))
print("RESULT median_s=%.5f cpu_s=%.4f faults=%.0f" % (statistics.median(times), cpu, faults))
sys.stdout.flush()
