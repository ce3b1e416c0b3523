#!/usr/bin/env python3
"""The seed workload of `mtl bench train` in PyTorch, as the peer a user would try first.

Reads the rows the benchmark wrote (float32, 12 per row: x0..x9, y1, the class of y2), trains the
same model (10 -> 50 -> ReLU -> 20 -> ReLU shared; heads 1 with squared error and 3 with softmax
cross-entropy, summed; Xavier-normal weights, Adam 1e-3, batch 32, a seeded shuffle every epoch)
in one process, or with DistributedDataParallel over gloo in N processes on disjoint shares (what
TorchDistributor runs in each Spark task), and prints one JSON line: examples/s over the training
loop and the holdout metrics of the first process's model.

    seed_torch.py --train train.f32 --holdout holdout.f32 --epochs 3 --processes 1
"""
import argparse
import json
import os
import socket
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

COLUMNS = 12


class SeedNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(10, 50), nn.ReLU(), nn.Linear(50, 20), nn.ReLU())
        self.y1 = nn.Linear(20, 1)
        self.y2 = nn.Linear(20, 3)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        h = self.trunk(x)
        return self.y1(h).squeeze(1), self.y2(h)


def rows(path):
    data = np.fromfile(path, dtype=np.float32)
    if data.size % COLUMNS:
        raise SystemExit(f"{path}: {data.size} floats, not a whole number of {COLUMNS}-float rows")
    data = data.reshape(-1, COLUMNS)
    return (torch.from_numpy(data[:, :10].copy()),
            torch.from_numpy(data[:, 10].copy()),
            torch.from_numpy(data[:, 11].astype(np.int64)))


def metrics(model, holdout):
    x, y1, y2 = holdout
    with torch.no_grad():
        p1, p2 = model(x)
    rmse = float(torch.sqrt(torch.mean((p1 - y1) ** 2)))
    predicted = p2.argmax(1)
    f1s = []
    for c in range(3):
        tp = int(((predicted == c) & (y2 == c)).sum())
        fp = int(((predicted == c) & (y2 != c)).sum())
        fn = int(((predicted != c) & (y2 == c)).sum())
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return {"y1.rmse": rmse, "y2.macro_f1": sum(f1s) / 3,
            "y2.accuracy": float((predicted == y2).float().mean())}


def train(rank, world, args, port, out):
    torch.set_num_threads(args.threads)
    x, y1, y2 = rows(args.train)
    batches = x.shape[0] // args.batch
    # Every process takes the same number of batches: DistributedDataParallel runs a collective
    # at every step, so a process with one more batch would wait for the others forever.
    mine = list(range(rank, batches, world))[:batches // world]
    batches = len(mine) * world
    torch.manual_seed(args.seed)
    model = SeedNet()
    if world > 1:
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}",
                                rank=rank, world_size=world)
        trained = nn.parallel.DistributedDataParallel(model)
    else:
        trained = model
    optimizer = torch.optim.Adam(trained.parameters(), lr=1e-3)
    mse, xent = nn.MSELoss(), nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(args.seed + rank)
    if world > 1:
        dist.barrier()
    start = time.perf_counter()
    for _ in range(args.epochs):
        for i in torch.randperm(len(mine), generator=order).tolist():
            b = mine[i] * args.batch
            p1, p2 = trained(x[b:b + args.batch])
            loss = mse(p1, y1[b:b + args.batch]) + xent(p2, y2[b:b + args.batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    if world > 1:
        dist.barrier()
    seconds = time.perf_counter() - start
    if rank == 0:
        result = {"processes": world, "threadsPerProcess": args.threads,
                  "torch": torch.__version__, "seconds": seconds,
                  "examplesPerSecond": batches * args.batch * args.epochs / seconds,
                  "metrics": metrics(model, rows(args.holdout))}
        with open(out, "w") as f:
            json.dump(result, f)
    if world > 1:
        dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", required=True)
    parser.add_argument("--holdout", required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per process (default: the cores over the processes)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--result", required=True, help="where the JSON result is written")
    args = parser.parse_args()
    if args.threads < 1:
        args.threads = max(1, (os.cpu_count() or 1) // args.processes)
    if args.processes == 1:
        train(0, 1, args, 0, args.result)
    else:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        mp.spawn(train, args=(args.processes, args, port, args.result), nprocs=args.processes)
    with open(args.result) as f:
        print(f.read())


if __name__ == "__main__":
    sys.exit(main())
