#!/usr/bin/python3
# torch_lm_step.py: the PyTorch peer of `moescope bench`'s lm figure.
#
# One training step of the lm task's model (docs/math.md "The `lm` task") written
# the way a practitioner writes it in PyTorch: nn.Embedding for characters and
# positions, pre-norm blocks of RMSNorm, causal multi-head attention (four
# bias-free nn.Linear maps, a masked softmax) and a Mixtral-style MoE FFN
# (nn.Linear experts in an nn.ModuleList, torch.topk on the softmax router,
# index_select / index_add_ per expert, gates renormalised over the top k,
# load-balance loss), a final RMSNorm, an nn.Linear head, cross-entropy,
# loss.backward(), Adam, zero_grad(). float32.
#
# The batches (random windows of a random text) are drawn before timing. Run
# with OPENBLAS_NUM_THREADS=1; the intra-op thread count is --threads. Prints
# one JSON line: {"tokens_per_s": ..., "step_ms": ..., "threads": ..., "torch": "..."}
import argparse
import sys

import torch_bench_common as bench  # first: exits 77 with a JSON error line when torch is missing
import torch
import torch.nn as nn
import torch.nn.functional as F

WARMUP = 10  # untimed steps before the timed ones


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Attention(nn.Module):
    def __init__(self, d, heads, n):
        super().__init__()
        self.heads = heads
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d, d, bias=False) for _ in range(4))
        self.register_buffer("future", torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1))

    def forward(self, x):  # x [B, n, d]
        B, n, d = x.shape
        dh = d // self.heads
        q, k, v = (w(x).view(B, n, self.heads, dh).transpose(1, 2) for w in (self.wq, self.wk, self.wv))
        att = (q @ k.transpose(-1, -2)) / dh ** 0.5
        att = torch.softmax(att.masked_fill(self.future[:n, :n], float("-inf")), dim=-1)
        return self.wo((att @ v).transpose(1, 2).reshape(B, n, d))


class Expert(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.w1 = nn.Linear(d, hidden)
        self.w2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.w2(F.gelu(self.w1(x), approximate="tanh"))


class MoE(nn.Module):
    """Σ_{i ∈ top-k} g_i · FFN_i(x), softmax router, gates renormalised over the top k (Mixtral)."""

    def __init__(self, d, num_experts, top_k, hidden):
        super().__init__()
        self.num_experts, self.top_k = num_experts, top_k
        self.router = nn.Linear(d, num_experts, bias=False)
        self.experts = nn.ModuleList(Expert(d, hidden) for _ in range(num_experts))

    def forward(self, x):  # x [T, d]
        T = x.shape[0]
        probs = torch.softmax(self.router(x), dim=-1)
        top_p, top_i = torch.topk(probs, self.top_k, dim=-1)
        gates = top_p / top_p.sum(dim=-1, keepdim=True)
        out = torch.zeros_like(x)
        expert_mask = F.one_hot(top_i, self.num_experts).permute(2, 1, 0)
        for e, expert in enumerate(self.experts):
            slot, tok = torch.where(expert_mask[e])
            if tok.numel() == 0:
                continue
            out.index_add_(0, tok, expert(x.index_select(0, tok)) * gates[tok, slot].unsqueeze(-1))
        f = expert_mask.sum(dim=(1, 2)).to(x.dtype) / (self.top_k * T)
        return out, self.num_experts * (f * probs.mean(dim=0)).sum()


class Block(nn.Module):
    def __init__(self, d, heads, n, num_experts, top_k, hidden):
        super().__init__()
        self.norm1, self.norm2 = RMSNorm(d), RMSNorm(d)
        self.attn = Attention(d, heads, n)
        self.moe = MoE(d, num_experts, top_k, hidden)

    def forward(self, h):  # h [B, n, d]
        a = h + self.attn(self.norm1(h))
        y, balance = self.moe(self.norm2(a).reshape(-1, a.shape[-1]))
        return a + y.view_as(a), balance


class TinyMoELM(nn.Module):
    def __init__(self, vocab, n, d, heads, layers, num_experts, top_k, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(n, d)
        self.blocks = nn.ModuleList(Block(d, heads, n, num_experts, top_k, hidden) for _ in range(layers))
        self.norm_f = RMSNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, ids):  # ids [B, n]
        h = self.embed(ids) + self.pos(torch.arange(ids.shape[1]))
        balance = 0
        for block in self.blocks:
            h, b = block(h)
            balance = balance + b
        return self.head(self.norm_f(h)), balance / len(self.blocks)


def main():
    ap = argparse.ArgumentParser(description="PyTorch tiny MoE transformer step, the peer of moescope's lm bench.")
    bench.add_harness_args(ap, steps=100, warmup=WARMUP)
    ap.add_argument("--batch", type=int, default=512, help="positions per step (a multiple of --context)")
    ap.add_argument("--context", type=int, default=64)
    ap.add_argument("--vocab", type=int, default=90)
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--experts", type=int, default=8)
    ap.add_argument("--top-k", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=128)
    args = ap.parse_args()

    gen = bench.seeded(args)
    alpha, n = 0.01, args.context
    B = args.batch // n
    model = TinyMoELM(args.vocab, n, args.d_model, args.heads, args.layers, args.experts, args.top_k, args.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    text = torch.randint(0, args.vocab, (100000,), generator=gen)
    batches = []
    for _ in range(8):
        starts = torch.randint(0, text.numel() - n - 1, (B,), generator=gen)
        windows = torch.stack([text[s:s + n + 1] for s in starts.tolist()])
        batches.append((windows[:, :-1].contiguous(), windows[:, 1:].contiguous()))

    def step(i):
        ids, targets = batches[i % len(batches)]
        logits, balance = model(ids)
        loss = F.cross_entropy(logits.reshape(-1, args.vocab), targets.reshape(-1)) + alpha * balance
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    return bench.time_steps(step, args.steps, WARMUP, tokens_per_step=B * n)


if __name__ == "__main__":
    sys.exit(main())
