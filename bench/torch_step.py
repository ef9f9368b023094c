#!/usr/bin/python3
# torch_step.py: the PyTorch peer of moescope's speed benchmark.
#
# One training step of the reference config, written the way a practitioner
# writes an MoE in PyTorch (Hugging Face Mixtral style): nn.Linear experts in an
# nn.ModuleList, torch.topk on the softmax router, a loop over experts with
# index_select / index_add_, loss.backward(), optimizer.step(), zero_grad().
#
# Reference config: task teacher (16 inputs, 4 outputs), d_model 64, E 16, k 2,
# h 256, 1024 tokens per batch, one MoE layer, softmax router renormalised over
# the top 2, gelu (tanh form) experts, load-balance loss with alpha 0.01
# (E · Σ f_i P_i, f counted over the k·T assignments), Adam lr 1e-3, float32.
#
# The teacher batches are drawn before timing (a pool cycled through), so the
# figure is the training step alone. Run with OPENBLAS_NUM_THREADS=1; the
# intra-op thread count is --threads. Prints one JSON line:
#   {"tokens_per_s": ..., "step_ms": ..., "threads": ..., "torch": "..."}
import argparse
import sys

import torch_bench_common as bench  # first: exits 77 with a JSON error line when torch is missing
import torch
import torch.nn as nn
import torch.nn.functional as F

WARMUP = 20  # untimed steps before the timed ones


class Expert(nn.Module):
    def __init__(self, d_model, hidden):
        super().__init__()
        self.w1 = nn.Linear(d_model, hidden)
        self.w2 = nn.Linear(hidden, d_model)

    def forward(self, x):
        return self.w2(F.gelu(self.w1(x), approximate="tanh"))


class MoELayer(nn.Module):
    """y = x + Σ_{i ∈ top-k} g_i · FFN_i(x), softmax router, gates renormalised over the top k."""

    def __init__(self, d_model, num_experts, top_k, hidden):
        super().__init__()
        self.num_experts, self.top_k = num_experts, top_k
        self.router = nn.Linear(d_model, num_experts, bias=False)
        self.experts = nn.ModuleList(Expert(d_model, hidden) for _ in range(num_experts))

    def forward(self, x):
        T = x.shape[0]
        probs = torch.softmax(self.router(x), dim=-1)                      # [T, E]
        top_p, top_i = torch.topk(probs, self.top_k, dim=-1)               # [T, k]
        gates = top_p / top_p.sum(dim=-1, keepdim=True)
        out = x.clone()
        # expert_mask[e, j, t] = 1 where token t chose expert e in slot j
        expert_mask = F.one_hot(top_i, self.num_experts).permute(2, 1, 0)
        for e, expert in enumerate(self.experts):
            slot, tok = torch.where(expert_mask[e])
            if tok.numel() == 0:
                continue
            y = expert(x.index_select(0, tok)) * gates[tok, slot].unsqueeze(-1)
            out.index_add_(0, tok, y)
        # Load balance (Switch, top-k form): E · Σ_i f_i P_i, f without gradient.
        f = expert_mask.sum(dim=(1, 2)).to(x.dtype) / (self.top_k * T)
        balance = self.num_experts * (f * probs.mean(dim=0)).sum()
        return out, balance


class Model(nn.Module):
    def __init__(self, d_in, d_out, d_model, num_experts, top_k, hidden):
        super().__init__()
        self.inp = nn.Linear(d_in, d_model)
        self.moe = MoELayer(d_model, num_experts, top_k, hidden)
        self.head = nn.Linear(d_model, d_out)

    def forward(self, u):
        y, balance = self.moe(self.inp(u))
        return self.head(y), balance


def teacher_batches(n, T, d_in, d_out, gen):
    """A hidden top-1 teacher MoE (4 experts, width 32) makes regression targets."""
    w_r = torch.randn(d_in, 4, generator=gen)
    w1 = torch.randn(4, d_in, 32, generator=gen) / d_in ** 0.5
    w2 = torch.randn(4, 32, d_out, generator=gen) / 32 ** 0.5
    out = []
    for _ in range(n):
        u = torch.randn(T, d_in, generator=gen)
        e = (u @ w_r).argmax(dim=1)
        y = torch.bmm(torch.tanh(torch.bmm(u.unsqueeze(1), w1[e])), w2[e]).squeeze(1)
        out.append((u, y))
    return out


def main():
    ap = argparse.ArgumentParser(description="PyTorch MoE training step, the peer of moescope's benchmark.")
    bench.add_harness_args(ap, steps=200, warmup=WARMUP)
    ap.add_argument("--batch", type=int, default=1024, help="tokens per step")
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--experts", type=int, default=16)
    ap.add_argument("--top-k", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=256)
    args = ap.parse_args()

    gen = bench.seeded(args)
    d_in, d_out, alpha = 16, 4, 0.01
    model = Model(d_in, d_out, args.d_model, args.experts, args.top_k, args.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = teacher_batches(8, args.batch, d_in, d_out, gen)

    def step(i):
        u, target = batches[i % len(batches)]
        pred, balance = model(u)
        loss = F.mse_loss(pred, target) + alpha * balance
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    return bench.time_steps(step, args.steps, WARMUP, tokens_per_step=args.batch)


if __name__ == "__main__":
    sys.exit(main())
