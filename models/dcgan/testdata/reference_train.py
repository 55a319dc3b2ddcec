"""Runs the tutorial's own PyTorch training loop (03_atari_gan.py: the
modules in tutorial.py, BCELoss, two Adam(lr=1e-4, betas=(0.5, 0.999)), the
step in the tutorial's order) on the real batches our Go iterator makes, to
tell what the reference does on our frames from what our code does.

    ARCADE_DUMP_BATCHES=/tmp/b.u8 ARCADE_DUMP_N=2000 go test ./models/dcgan/ -run TestDumpBatches
    nice /usr/bin/python3 reference_train.py /tmp/b.u8 OUTDIR [STEPS] [SEED]

At steps 200, 500, 1000, 1500, 2000 (and the last) it writes to OUTDIR:
  fake-NNNN.png   the tutorial's view: gen_output_v of that step (train mode, 16 images)
  fixed-eval-NNNN.png / fixed-train-NNNN.png   64 fixed-noise samples, eval() and train() mode
and prints the losses and the spread of the samples (mean over pixels of the
standard deviation across samples; ~0 means every sample is the same picture).
"""
import copy
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
import torchvision.utils as vutils

import tutorial as T

torch.set_num_threads(1)


def spread(x):
    return x.std(0).mean().item()


def main(batches_path, out, steps=2000, seed=1):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(seed)
    frame = 3 * 64 * 64
    data = np.memmap(batches_path, dtype=np.uint8, mode="r")
    n_batches = data.size // (T.BATCH_SIZE * frame)
    shape = (3, 64, 64)
    net_discr, net_gener = T.Discriminator(input_shape=shape), T.Generator(output_shape=shape)
    objective = nn.BCELoss()
    gen_optimizer = optim.Adam(params=net_gener.parameters(), lr=T.LEARNING_RATE, betas=(0.5, 0.999))
    dis_optimizer = optim.Adam(params=net_discr.parameters(), lr=T.LEARNING_RATE, betas=(0.5, 0.999))
    true_labels_v = torch.ones(T.BATCH_SIZE, dtype=torch.float32)
    fake_labels_v = torch.zeros(T.BATCH_SIZE, dtype=torch.float32)
    fixed_z = torch.Generator().manual_seed(2024)
    fixed_z = torch.randn(64, T.LATENT_VECTOR_SIZE, 1, 1, generator=fixed_z)
    gen_losses, dis_losses = [], []
    t0 = time.time()
    for iter_no in range(1, steps + 1):
        b = data[((iter_no - 1) % n_batches) * T.BATCH_SIZE * frame:][:T.BATCH_SIZE * frame]
        batch_v = torch.from_numpy(b.astype(np.float32).reshape(T.BATCH_SIZE, *shape)) * 2.0 / 255.0 - 1.0
        # --- the tutorial's step ---
        gen_input_v = torch.FloatTensor(T.BATCH_SIZE, T.LATENT_VECTOR_SIZE, 1, 1).normal_(0, 1)
        gen_output_v = net_gener(gen_input_v)
        dis_optimizer.zero_grad()
        dis_output_true_v = net_discr(batch_v)
        dis_output_fake_v = net_discr(gen_output_v.detach())
        dis_loss = objective(dis_output_true_v, true_labels_v) + objective(dis_output_fake_v, fake_labels_v)
        dis_loss.backward()
        dis_optimizer.step()
        dis_losses.append(dis_loss.item())
        gen_optimizer.zero_grad()
        dis_output_v = net_discr(gen_output_v)
        gen_loss_v = objective(dis_output_v, true_labels_v)
        gen_loss_v.backward()
        gen_optimizer.step()
        gen_losses.append(gen_loss_v.item())
        # --- end of the tutorial's step ---
        if iter_no % 100 == 0:
            print("Iter %d: gen_loss=%.3e, dis_loss=%.3e, %.2f s/step" % (
                iter_no, np.mean(gen_losses), np.mean(dis_losses), (time.time() - t0) / iter_no), flush=True)
            gen_losses, dis_losses = [], []
        if iter_no in (200, 500, 1000, 1500, 2000) or iter_no == steps:
            g = copy.deepcopy(net_gener)  # sampling must not touch the running statistics
            with torch.no_grad():
                g.eval()
                ev = g(fixed_z)
                g.train()
                tr = torch.cat([g(fixed_z[i:i + 16]) for i in range(0, 64, 16)])
            vutils.save_image(gen_output_v.data[:64], os.path.join(out, "fake-%04d.png" % iter_no), normalize=True)
            vutils.save_image(ev, os.path.join(out, "fixed-eval-%04d.png" % iter_no), normalize=True)
            vutils.save_image(tr, os.path.join(out, "fixed-train-%04d.png" % iter_no), normalize=True)
            print("step %d spread: gen_output_v %.4f, fixed eval %.4f, fixed train %.4f; real batch %.4f" % (
                iter_no, spread(gen_output_v.data), spread(ev), spread(tr), spread(batch_v)), flush=True)
            torch.save(net_gener.state_dict(), os.path.join(out, "generator-%04d.pt" % iter_no))


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], int(a[2]) if len(a) > 2 else 2000, int(a[3]) if len(a) > 3 else 1)
