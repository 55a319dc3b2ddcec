#!/usr/bin/python3
"""PyTorch twin of bench/nets.go: times one training step of the DCGAN (batch 16,
both networks, both Adam updates) or the DQN (batch 32, target forward included)
and prints "RESULT median_s=X". Run by `go run ./bench`; alone:

    /usr/bin/python3 bench/torch_step.py --model dqn --threads 2
"""
import argparse
import statistics
import sys
import time

import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--model", choices=["dcgan", "dqn"], required=True)
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


def dqn():
    online, target = QNet().to(dev), QNet().to(dev)
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


step = dcgan() if args.model == "dcgan" else dqn()
for _ in range(args.warmup):
    step()
sync()
times = []
cpu0 = time.process_time()
for _ in range(args.steps):
    t0 = time.perf_counter()
    step()
    sync()
    times.append(time.perf_counter() - t0)
cpu = (time.process_time() - cpu0) / args.steps
times.sort()
print("torch %s steps (%s, %d threads, %s): %s" % (
    args.model, torch.__version__, torch.get_num_threads(), dev, " ".join("%.3f" % t for t in times)))
print("RESULT median_s=%.5f cpu_s=%.4f" % (statistics.median(times), cpu))
sys.stdout.flush()
