#!/usr/bin/python3
"""Parity vectors for models/dqn: the OneFlow port's Q-network in PyTorch.

Run from the repository root with Debian's Python (PyTorch 1.13):

    /usr/bin/python3 models/dqn/testdata/gen_vectors.py > models/dqn/testdata/vectors.json

The weights and inputs come from a deterministic integer formula that
models/dqn/parity_test.go repeats, so no weights are committed. The network:

    conv3x3 4->32 same + BN + ReLU + maxpool2    [B,32,32,32]
    conv3x3 32->32 same + BN + ReLU + maxpool2   [B,32,16,16]
    flatten 8192, FC 512 + BN1d + ReLU, FC 2      [B,2]

BatchNorm as OneFlow's flow.layers.batch_normalization: epsilon 1e-3 and
momentum 0.99 in TensorFlow's convention (PyTorch momentum 0.01). The target
network is evaluated in eval mode (OneFlow sets training=False in a "predict"
job) and shares the online network's BatchNorm variables (their names carry
no QNet/QNetT prefix in the reference).
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

B = 8
GAMMA = 0.99
LR, BETA1, BETA2, EPS = 2e-4, 0.9, 0.999, 1e-8
BN_EPS, BN_MOMENTUM = 1e-3, 0.01


def hashed(i, salt):
    """Uniform in [-1, 1) from integers, identical in Go (uint64 arithmetic)."""
    h = (i * 2654435761 + salt * 40503 + 12345) % 4294967296
    return h / 2147483648.0 - 1.0


def param(shape, salt, fan_in):
    n = 1
    for d in shape:
        n *= d
    scale = (3.0 / fan_in) ** 0.5  # variance 1/fan_in, as the fan-in scaling init
    vals = [scale * hashed(i, salt) for i in range(n)]
    return torch.tensor(vals, dtype=torch.float64).to(torch.float32).reshape(shape)


def states(salt):
    """Binary frames as the reference feeds them: 255-128 or 0-128."""
    n = B * 4 * 64 * 64
    lit = [((i * 2246822519 + salt * 7919) % 4294967296) >> 29 == 0 for i in range(n)]
    return torch.tensor([127.0 if v else -128.0 for v in lit], dtype=torch.float32).reshape(B, 4, 64, 64)


class QNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(4, 32, 3, 1, 1)
        self.bn1 = nn.BatchNorm2d(32, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.conv2 = nn.Conv2d(32, 32, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(32, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.fc1 = nn.Linear(8192, 512)
        self.bn3 = nn.BatchNorm1d(512, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.fc2 = nn.Linear(512, 2)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)  # [B,32,32,32]
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)  # [B,32,16,16]
        x = x.reshape(x.shape[0], -1)  # [B,8192]
        x = F.relu(self.bn3(self.fc1(x)))  # [B,512]
        return self.fc2(x)  # [B,2]


def init(net, salt0):
    with torch.no_grad():
        net.conv1.weight.copy_(param((32, 4, 3, 3), salt0 + 1, 4 * 9))
        net.conv2.weight.copy_(param((32, 32, 3, 3), salt0 + 2, 32 * 9))
        net.fc1.weight.copy_(param((512, 8192), salt0 + 3, 8192))
        net.fc2.weight.copy_(param((2, 512), salt0 + 4, 512))
        # Non-zero biases (the real init is zero) so the test sees them used.
        net.conv1.bias.copy_(0.1 * param((32,), salt0 + 5, 1))
        net.conv2.bias.copy_(0.1 * param((32,), salt0 + 6, 1))
        net.fc1.bias.copy_(0.1 * param((512,), salt0 + 7, 1))
        net.fc2.bias.copy_(0.1 * param((2,), salt0 + 8, 1))


def flat(t):
    return [float("%.8g" % v) for v in t.detach().reshape(-1).tolist()]


def main():
    torch.set_num_threads(1)
    online, target = QNet(), QNet()
    init(online, 0)
    init(target, 100)  # the target's conv/fc weights differ (an older copy)
    # Shared BatchNorm variables: the target uses the online network's.
    target.bn1, target.bn2, target.bn3 = online.bn1, online.bn2, online.bn3

    s, s2 = states(1), states(2)
    actions = torch.tensor([(i * 5) % 3 % 2 for i in range(B)])
    rewards = torch.tensor([[0.1, 1.0, -1.0][i % 3] for i in range(B)], dtype=torch.float32)
    terminal = torch.tensor([1.0 if i % 4 == 2 else 0.0 for i in range(B)])

    # Target: eval mode (running statistics), before the online step, as the reference.
    online.eval()
    with torch.no_grad():
        q_next_target = target(s2)
        q_next_online = online(s2)  # for Double DQN's argmax
        q_eval_s = online(s)  # the actor's view of s
    y = rewards + GAMMA * (1 - terminal) * q_next_target.max(1).values
    a_star = q_next_online.argmax(1)
    y_double = rewards + GAMMA * (1 - terminal) * q_next_target.gather(1, a_star[:, None])[:, 0]

    online.train()
    opt = torch.optim.Adam(online.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)
    q = online(s)
    q_action = (q * F.one_hot(actions, 2).float()).sum(1)
    loss = ((y - q_action) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    grads = {n: p.grad.clone() for n, p in online.named_parameters()}
    opt.step()
    after = {
        "after_conv1_weight": flat(online.conv1.weight),
        "after_fc2_weight": flat(online.fc2.weight),
        "after_bn1_running_mean": flat(online.bn1.running_mean),
        "after_bn1_running_var": flat(online.bn1.running_var),
        "after_bn3_running_mean": flat(online.bn3.running_mean[:64]),
    }
    online.eval()
    with torch.no_grad():
        q_after = online(s)  # inference mode with the stepped weights and statistics

    out = {
        "batch": B, "gamma": GAMMA, "lr": LR, "beta1": BETA1, "beta2": BETA2, "adam_eps": EPS,
        "bn_eps": BN_EPS, "bn_momentum": BN_MOMENTUM,
        "actions": [int(a) for a in actions], "rewards": flat(rewards), "terminal": flat(terminal),
        "q_train": flat(q), "q_eval": flat(q_eval_s), "q_next_target": flat(q_next_target),
        "y": flat(y), "y_double": flat(y_double), "loss": float(loss),
        "grad_conv1_weight": flat(grads["conv1.weight"]),
        "grad_conv2_bias": flat(grads["conv2.bias"]),
        "grad_bn1_weight": flat(grads["bn1.weight"]),
        "grad_bn3_bias": flat(grads["bn3.bias"]),
        "grad_fc1_bias": flat(grads["fc1.bias"]),
        "grad_fc2_weight": flat(grads["fc2.weight"]),
        "grad_fc2_bias": flat(grads["fc2.bias"]),
        "grad_fc1_weight_row0": flat(grads["fc1.weight"][0, :512]),
        "q_after": flat(q_after),
    }
    out.update(after)
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
