#!/usr/bin/python3
"""PyTorch CPU with jgrad's default recipe for `jgrad train --model cnn --dataset mnist`, for a side-by-side wall clock.

    OPENBLAS_CORETYPE= OPENBLAS_L2_SIZE= scripts/torch-mnist-recipe.py [--seed S] [--threads T] [--data-dir DIR]

The same model (train/.../MnistCnn.java), the same recipe (TrainRecipe.java): pixels / 255 normalised with
0.1307/0.3081, 10% of the training split held out, batch 64, Adam 1e-3, cosine annealing over 3 epochs stepped
per epoch. After each epoch it evaluates the test split (not timed) and prints the training wall clock so far,
so the time to 99% test accuracy can be read off. Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset
(PyTorch at its best on this machine).
"""
import argparse, os, struct, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic, = struct.unpack('>I', data[:4])
    dims = magic & 0xff
    shape = struct.unpack('>' + 'I' * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class MnistCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--data-dir', default=os.path.expanduser('~/.cache/jgrad/mnist'))
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    capability = getattr(getattr(torch.backends, 'cpu', None), 'get_cpu_capability', lambda: 'not reported by this version')()
    print(f'torch {torch.__version__}, {a.threads} threads, CPU capability {capability}, ATEN_CPU_CAPABILITY={os.environ.get("ATEN_CPU_CAPABILITY", "unset")}')

    def load(images, labels):
        x = torch.from_numpy(idx(os.path.join(a.data_dir, images)).astype(np.float32) / 255.0).unsqueeze(1)
        return (x - 0.1307) / 0.3081, torch.from_numpy(idx(os.path.join(a.data_dir, labels)).astype(np.int64))

    x, y = load('train-images-idx3-ubyte', 'train-labels-idx1-ubyte')
    xt, yt = load('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')
    order = torch.randperm(len(x))
    train = order[: len(x) - len(x) // 10]  # the 10% validation hold-out is not trained on
    model = MnistCnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.epochs)
    elapsed, reached = 0.0, None
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        model.train()
        perm = train[torch.randperm(len(train))]
        for i in range(0, len(perm), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            F.cross_entropy(model(x[b]), y[b]).backward()
            opt.step()
        sched.step()
        elapsed += time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            correct = sum((model(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item() for i in range(0, len(xt), 1000))
        acc = 100.0 * correct / len(xt)
        if reached is None and acc >= 99.0:
            reached = elapsed
        print(f'epoch {epoch}: test accuracy {acc:.2f}%, training wall clock {elapsed:.1f} s')
    print(f'time to 99%: {reached:.1f} s' if reached is not None else 'time to 99%: not reached')


if __name__ == '__main__':
    main()
