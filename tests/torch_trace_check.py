#!/usr/bin/python3
# torch_trace_check.py: replays `moescope trace` files in PyTorch (float64) and
# compares every logit, score, gate, routing decision, loss and gradient.
#
# The independent side of the maths in docs/math.md ("Trace format"): the
# model is rebuilt from the trace's `params`, the step is replayed from its
# `batch` (and `noise`), the routing decisions (top-k on s + b, capacity drops,
# expert choice) are recomputed and checked against the trace's, and the
# gradient of the total loss with respect to every parameter comes from
# torch.autograd.
#
# Usage:
#   torch_trace_check.py MOESCOPE_BINARY                 generate a matrix of traces and check them
#   torch_trace_check.py MOESCOPE_BINARY trace.json ...  check the given trace files only
#   torch_trace_check.py --self-test                     no binary: check synthetic traces made here by
#                                                        a second, per-token implementation, and make sure
#                                                        corrupted copies of them are rejected
# Exit: 0 all passed, 1 something failed, 77 torch is missing (ctest: skipped).
# The last line printed is always `N passed, M failed` (counting traces).
#
# Tolerance: for every value, rel = |a - b| / max(|a|, |b|, 1e-3) must be
# <= 1e-6, i.e. a relative error of 1e-6 with an absolute floor of 1e-9.
#
# [SECTION] Imports and tolerances
# [SECTION] Trace reading helpers
# [SECTION] Routing rules (exact, with near-tie acceptance)
# [SECTION] Replay of one trace
# [SECTION] Generating traces with the binary
# [SECTION] Self-test: synthetic traces from a per-token reference
# [SECTION] Main

# [SECTION] Imports and tolerances
import argparse
import copy
import json
import math
import os
import re
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except Exception as exc:  # ImportError, or a broken install raising something else
    print(f"torch_trace_check: skipped: cannot import torch/numpy with {sys.executable}: {exc!r}")
    print("0 passed, 0 failed")
    sys.exit(77)

torch.set_default_dtype(torch.float64)

REL_TOL = 1e-6        # relative error allowed on any value
ABS_FLOOR = 1e-9      # absolute error always allowed (rel is taken against max(|a|, |b|, ABS_FLOOR / REL_TOL))
TIE_TOL = 1e-12       # two routing keys closer than this (relative) may be ordered either way (float noise)
KINDS = ("logits", "scores", "gates", "losses", "grads")


class TraceError(Exception):
    """The trace cannot be replayed at all (malformed file, missing tensors)."""


# [SECTION] Trace reading helpers
def tensor_of(obj, what):
    """A trace tensor {"shape": [...], "data": [...]} (data flat, row-major) as a float64 numpy array."""
    if obj is None:
        raise TraceError(f"{what}: is null")
    if isinstance(obj, (int, float)):
        return np.array(float(obj))
    if not isinstance(obj, dict) or "data" not in obj:
        raise TraceError(f"{what}: expected {{\"shape\": [...], \"data\": [...]}}")
    data = np.asarray(obj["data"], dtype=np.float64).reshape(-1)
    shape = [int(n) for n in obj.get("shape", [data.size])]
    if int(np.prod(shape)) != data.size:
        raise TraceError(f"{what}: shape {shape} holds {int(np.prod(shape))} values, data has {data.size}")
    return data.reshape(shape)


def scalar_of(obj, what):
    if isinstance(obj, (int, float)):
        return float(obj)
    arr = tensor_of(obj, what)
    if arr.size != 1:
        raise TraceError(f"{what}: expected a scalar, got shape {list(arr.shape)}")
    return float(arr.reshape(-1)[0])


def flat_config(cfg):
    """The trace's config as one flat dict (nested groups, if any, are flattened)."""
    out = {}

    def walk(d):
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v)
            else:
                out[k] = v

    walk(cfg or {})
    return out


def as_bool(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    return str(v).strip().lower() in ("true", "1", "on", "yes")


def renormalized(cfg):
    """Gates renormalised over K_t: always for sigmoid; renormalize true/false, or auto = (top_k >= 2)."""
    if str(cfg.get("score", "softmax")) == "sigmoid":
        return True
    r = cfg.get("renormalize", "auto")
    if isinstance(r, str) and r.strip().lower() == "auto":
        return int(cfg.get("top_k", 1)) >= 2
    return as_bool(r)


def summary_of(cfg):
    router = str(cfg.get("router", "topk"))
    parts = [str(cfg.get("task", "?")), router]
    if router != "dense":
        if router == "topk":
            parts.append(str(cfg.get("score", "softmax")))
        parts.append(f"k={cfg.get('top_k', '?')}")
        if router == "topk":
            parts.append(f"rn={cfg.get('renormalize', 'auto')}")
        if as_bool(cfg.get("noisy_gating", False)):
            parts.append("noisy")
        c = float(cfg.get("capacity_factor", 0) or 0)
        if c > 0:
            parts.append(f"c={c:g}/{cfg.get('drop_policy', 'position')}" if router == "topk" else f"c={c:g}")
    if int(cfg.get("shared_experts", 0) or 0):
        parts.append(f"S={cfg.get('shared_experts')}")
    if int(cfg.get("n_layers", 1) or 1) != 1:
        parts.append(f"L={cfg.get('n_layers')}")
    parts.append(str(cfg.get("activation", "gelu")))
    return " ".join(parts)


class Report:
    """Worst differences per tensor kind, and every failure, for one trace."""

    def __init__(self):
        self.worst = {k: (0.0, 0.0, "") for k in KINDS}   # kind -> (max abs, max rel, where)
        self.failures = []
        self.notes = []
        self.discrete = {"selected": "-", "dropped": "-"}

    def fail(self, msg):
        self.failures.append(msg)

    def compare(self, kind, name, mine, theirs):
        mine = np.asarray(mine, dtype=np.float64)
        theirs = np.asarray(theirs, dtype=np.float64)
        if mine.shape != theirs.shape:
            if mine.size == theirs.size and mine.size == 1:
                mine, theirs = mine.reshape(()), theirs.reshape(())
            else:
                self.fail(f"{name}: shape {list(theirs.shape)} in the trace, expected {list(mine.shape)}")
                return
        if mine.size == 0:
            return
        diff = np.abs(mine - theirs)
        both_nan = np.isnan(mine) & np.isnan(theirs)
        diff = np.where(both_nan, 0.0, diff)
        diff = np.where(np.isnan(diff), np.inf, diff)
        scale = np.maximum(np.maximum(np.abs(mine), np.abs(theirs)), ABS_FLOOR / REL_TOL)
        scale = np.where(np.isfinite(scale), scale, 1.0)
        rel = diff / scale
        i = int(np.argmax(rel))
        worst_abs, worst_rel = float(diff.reshape(-1).max()), float(rel.reshape(-1)[i])
        old = self.worst[kind]
        where = f"{name}[{np.unravel_index(i, mine.shape) if mine.ndim else ''}]"
        self.worst[kind] = (max(old[0], worst_abs), max(old[1], worst_rel), where if worst_rel >= old[1] else old[2])
        if not worst_rel <= REL_TOL:
            idx = np.unravel_index(i, mine.shape) if mine.ndim else ()
            self.fail(f"{name}{list(idx) if mine.ndim else ''}: trace {float(theirs.reshape(-1)[i]):.17g}, "
                      f"torch {float(mine.reshape(-1)[i]):.17g} (rel {worst_rel:.2e}, abs {worst_abs:.2e} worst in tensor)")


# [SECTION] Routing rules (exact, with near-tie acceptance)
def beats(vals, a, b):
    """Exact priority: a before b when its key is larger, or equal and a has the lower index."""
    return vals[a] > vals[b] or (vals[a] == vals[b] and a < b)


def near_tie(vals, a, b):
    """a and b differ, but by so little that float rounding may have swapped them."""
    d = abs(vals[a] - vals[b])
    return 0.0 < d <= TIE_TOL * max(1.0, abs(vals[a]), abs(vals[b]))


def exact_order(vals):
    return sorted(range(len(vals)), key=lambda i: (-vals[i], i))


def judge_ordered(vals, picked):
    """picked: the trace's ordered list (descending key). 'exact', 'near' or 'bad'."""
    n = len(vals)
    if len(set(picked)) != len(picked) or any(not (0 <= p < n) for p in picked):
        return "bad"
    if picked == exact_order(vals)[:len(picked)]:
        return "exact"
    rest = [i for i in range(n) if i not in picked]
    for pos, a in enumerate(picked):
        for b in picked[pos + 1:] + rest:
            if beats(vals, b, a) and not near_tie(vals, a, b):
                return "bad"
    return "near"


def judge_set(vals, members, kept, count):
    """kept ⊆ members must be the `count` best of members by vals (ties to the lower index)."""
    kept = set(kept)
    if len(kept) != count or not kept <= set(members):
        return "bad"
    exact = set(sorted(members, key=lambda i: (-vals[i], i))[:count])
    if kept == exact:
        return "exact"
    for a in kept:
        for b in members:
            if b not in kept and beats(vals, b, a) and not near_tie(vals, a, b):
                return "bad"
    return "near"


def worse(a, b):
    order = {"-": 0, "exact": 1, "near": 2, "bad": 3}
    return a if order[a] >= order[b] else b


# [SECTION] Replay of one trace
ACTIVATIONS = {
    "relu": torch.relu,
    "gelu": lambda v: F.gelu(v, approximate="tanh"),
    "silu": F.silu,
}


def softplus(v):
    # log(1 + e^v), stable for any v, with the exact derivative sigmoid(v) everywhere
    # (clamp(v, 0) + log1p(e^-|v|) has subgradient 1 at v = 0, where noise weights start).
    return torch.logaddexp(v, torch.zeros_like(v))


def ffn(params, prefix, x, act):
    return act(x @ params[prefix + ".w1"] + params[prefix + ".b1"]) @ params[prefix + ".w2"] + params[prefix + ".b2"]


def rms_norm(x, g):
    """RMSNorm (Zhang & Sennrich 2019): x / sqrt(mean(x²) + 1e-5) ⊙ g, per row."""
    return x / torch.sqrt((x * x).mean(dim=1, keepdim=True) + 1e-5) * g


def attention(params, l, x, n, heads):
    """Causal multi-head attention of block l over windows of n rows (torch.softmax over j <= i):
    head h takes columns h·d/H ... (h+1)·d/H − 1 of Q, K, V and fills the same block of the
    concatenation that W_o reads."""
    T, d = x.shape
    B, dh = T // n, d // heads
    def split(m):  # [T, d] → [B, H, n, d/H]
        return m.reshape(B, n, heads, dh).transpose(1, 2)
    q, k, v = (split(x @ params[f"layers.{l}.attn.{w}"]) for w in ("wq", "wk", "wv"))
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
    future = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)  # j > i
    ctx = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1) @ v
    return ctx.transpose(1, 2).reshape(T, d) @ params[f"layers.{l}.attn.wo"]


def layer_field(layer, key):
    if layer is None:
        return None
    return layer.get(key)


def replay(trace, rep):
    """Replays one trace into rep (a Report). Raises TraceError if it cannot."""
    if trace.get("format") != "moescope-trace/1":
        rep.fail(f"format is {trace.get('format')!r}, expected 'moescope-trace/1'")
    cfg = flat_config(trace.get("config"))
    for key in ("params", "batch", "losses", "grads"):
        if not isinstance(trace.get(key), dict):
            raise TraceError(f"'{key}' is missing or not an object")

    task = str(cfg.get("task", "chars" if "embed.weight" in trace["params"] else "blobs"))
    router = str(cfg.get("router", "topk"))
    score = str(cfg.get("score", "softmax"))
    act_name = str(cfg.get("activation", "gelu"))
    if act_name not in ACTIVATIONS:
        raise TraceError(f"activation {act_name!r} unknown")
    act = ACTIVATIONS[act_name]
    noisy = as_bool(cfg.get("noisy_gating", False))
    cap = float(cfg.get("capacity_factor", 0) or 0)
    drop_policy = str(cfg.get("drop_policy", "position"))
    alpha, beta, w_imp = (float(cfg.get(k, 0) or 0) for k in ("alpha", "beta", "w_importance"))
    renorm = renormalized(cfg)

    params_np = {name: tensor_of(t, f"params.{name}") for name, t in trace["params"].items()}
    params = {name: torch.tensor(v, dtype=torch.float64, requires_grad=True) for name, v in params_np.items()}

    # Structure from the parameter names, cross-checked against the config.
    layer_ids = sorted({int(m.group(1)) for n in params for m in [re.match(r"layers\.(\d+)\.", n)] if m})
    n_layers = len(layer_ids)
    if layer_ids != list(range(n_layers)) or n_layers == 0:
        raise TraceError(f"layer parameters are for layers {layer_ids}, expected 0..n-1")
    if "n_layers" in cfg and int(cfg["n_layers"]) != n_layers:
        rep.fail(f"config n_layers = {cfg['n_layers']} but params hold {n_layers} layers")

    def count(l, kind):
        return len({int(m.group(1)) for n in params for m in [re.match(rf"layers\.{l}\.{kind}\.(\d+)\.w1$", n)] if m})

    lm = task == "lm"
    for name in (("embed.weight", "pos.weight", "norm_f.weight") if lm else ("input.weight", "input.bias")) + \
            ("head.weight", "head.bias"):
        if name not in params:
            raise TraceError(f"params: '{name}' is missing")

    # Input u and x = u·W_in + b_in; lm: the stream h = E_tok[id] + E_pos[j], rows t = b·n + j.
    inputs = tensor_of(trace["batch"].get("inputs"), "batch.inputs")
    targets = tensor_of(trace["batch"].get("targets"), "batch.targets")
    T = inputs.shape[0]
    if lm:
        if inputs.ndim != 2 or targets.shape != inputs.shape:
            raise TraceError(f"batch: lm inputs and targets must both be [B, n], got {list(inputs.shape)} "
                             f"and {list(targets.shape)}")
        n_ctx = inputs.shape[1]
        T = inputs.shape[0] * n_ctx
        heads = int(cfg.get("lm_heads", 1))
        if "lm_context" in cfg and int(cfg["lm_context"]) != n_ctx:
            rep.fail(f"config lm_context = {cfg['lm_context']} but batch windows hold {n_ctx} positions")
        ids = torch.tensor(inputs.astype(np.int64).reshape(-1))
        if ids.min() < 0 or ids.max() >= params["embed.weight"].shape[0]:
            raise TraceError("batch.inputs: token ids outside the vocabulary")
        stream = params["embed.weight"][ids] + params["pos.weight"][torch.arange(T) % n_ctx]
        x = None
    elif task == "chars":
        if "embed.weight" not in params:
            raise TraceError("task chars but params has no 'embed.weight'")
        ids = torch.tensor(inputs.astype(np.int64).reshape(T, -1))
        emb = params["embed.weight"]
        if ids.min() < 0 or ids.max() >= emb.shape[0]:
            raise TraceError(f"batch.inputs: token ids outside [0, {emb.shape[0]})")
        u = emb[ids].reshape(T, -1)  # [T, w·d_e], the window's embeddings concatenated
    else:
        u = torch.tensor(inputs.reshape(T, -1))
    if not lm:
        w_in = params["input.weight"]
        if w_in.shape[0] != u.shape[1]:
            raise TraceError(f"input.weight is {list(w_in.shape)} but u has width {u.shape[1]}")
        x = u @ w_in + params["input.bias"]
    zero = params["head.bias"].new_zeros(())

    layers = trace.get("layers") or []
    biases = trace.get("bias") or []
    bal_sum = zero.clone()
    z_sum = zero.clone()
    imp_sum = zero.clone()
    n_moe = 0

    for l in range(n_layers):
        E = count(l, "experts")
        S = count(l, "shared")
        if "shared_experts" in cfg and int(cfg["shared_experts"]) != S:
            rep.fail(f"layer {l}: config shared_experts = {cfg['shared_experts']} but params hold {S}")
        layer = layers[l] if l < len(layers) else None
        if lm:  # a = h + Attn(N(h; g1)); the MoE reads x = N(a; g2) and its residual is a
            a = stream + attention(params, l, rms_norm(stream, params[f"layers.{l}.norm1.weight"]), n_ctx, heads)
            x = rms_norm(a, params[f"layers.{l}.norm2.weight"])
            y = a
        else:
            y = x
        if router == "dense":
            if E != 1:
                rep.fail(f"layer {l}: dense router expects one FFN layers.{l}.experts.0, params hold {E}")
            if f"layers.{l}.router.weight" in params:
                rep.fail(f"layer {l}: dense router but params hold layers.{l}.router.weight")
            for key in ("logits", "scores", "selected", "gates", "dropped"):
                if layer_field(layer, key) is not None:
                    rep.fail(f"layers[{l}].{key}: dense router, expected null or absent")
            y = y + ffn(params, f"layers.{l}.experts.0", x, act)
        else:
            n_moe += 1
            if layer is None:
                raise TraceError(f"layers[{l}] is missing")
            if "num_experts" in cfg and int(cfg["num_experts"]) != E:
                rep.fail(f"layer {l}: config num_experts = {cfg['num_experts']} but params hold {E} experts")
            w_r = params.get(f"layers.{l}.router.weight")
            if w_r is None:
                raise TraceError(f"params: 'layers.{l}.router.weight' is missing")
            z = x @ w_r
            eps_obj = layer_field(layer, "noise")
            if noisy:
                if f"layers.{l}.router.noise_weight" not in params:
                    raise TraceError(f"noisy_gating on but 'layers.{l}.router.noise_weight' is missing")
                if eps_obj is None:
                    raise TraceError(f"noisy_gating on but layers[{l}].noise is null")
                eps = torch.tensor(tensor_of(eps_obj, f"layers[{l}].noise").reshape(T, E))
                z = z + eps * softplus(x @ params[f"layers.{l}.router.noise_weight"])
            elif eps_obj is not None:
                rep.fail(f"layers[{l}].noise: noisy_gating off, expected null")
            rep.compare("logits", f"layers[{l}].logits", z.detach().numpy(),
                        tensor_of(layer.get("logits"), f"layers[{l}].logits"))
            if router == "expert_choice":
                s = torch.softmax(z, dim=1)
            else:
                s = torch.softmax(z, dim=1) if score == "softmax" else torch.sigmoid(z)
            rep.compare("scores", f"layers[{l}].scores", s.detach().numpy(),
                        tensor_of(layer.get("scores"), f"layers[{l}].scores"))
            s_np = s.detach().numpy()
            tr_sel = tensor_of(layer.get("selected"), f"layers[{l}].selected")
            tr_gate = tensor_of(layer.get("gates"), f"layers[{l}].gates")
            tr_drop = tensor_of(layer.get("dropped"), f"layers[{l}].dropped")

            if router == "topk":
                k = int(cfg.get("top_k", tr_sel.shape[1] if tr_sel.ndim == 2 else 1))
                if tr_sel.shape != (T, k):
                    raise TraceError(f"layers[{l}].selected: shape {list(tr_sel.shape)}, expected [{T}, {k}]")
                b = np.zeros(E)
                if l < len(biases) and biases[l] is not None:
                    b = tensor_of(biases[l], f"bias[{l}]").reshape(E)
                key = s_np + b[None, :]
                # Selection K_t: top-k of s + b, descending, ties to the lower expert.
                verdict = "-"
                sel = np.zeros((T, k), dtype=np.int64)
                for t in range(T):
                    picked = [int(v) for v in tr_sel[t]]
                    v = judge_ordered(list(key[t]), picked)
                    verdict = worse(verdict, v)
                    mine = exact_order(list(key[t]))[:k]
                    if v == "bad":
                        rep.fail(f"layers[{l}].selected[{t}] = {picked}, expected {mine} (s+b = {np.round(key[t], 17).tolist()})")
                    # Replay with the trace's choice when it is a legal one, so a near tie does not cascade.
                    sel[t] = picked if v != "bad" and -1 not in picked else mine
                rep.discrete["selected"] = worse(rep.discrete["selected"], verdict)
                sel_t = torch.tensor(sel)
                s_k = s.gather(1, sel_t)                           # [T, k] scores of K_t, in order
                g = s_k / s_k.sum(dim=1, keepdim=True) if renorm else s_k
                rep.compare("gates", f"layers[{l}].gates", g.detach().numpy(), tr_gate)
                # Capacity drops, per expert over its assignments, decided on the gates before drops.
                dropped = np.zeros((T, k), dtype=bool)
                if tr_drop.shape != (T, k):
                    raise TraceError(f"layers[{l}].dropped: shape {list(tr_drop.shape)}, expected [{T}, {k}]")
                tr_dropped = tr_drop != 0
                g_np = g.detach().numpy()
                dverdict = "-"
                if cap > 0:
                    C = math.ceil(cap * k * T / E - 1e-9)
                    for e in range(E):
                        assigned = [(t, j) for t in range(T) for j in range(k) if sel[t, j] == e]
                        members = [t for t, _ in assigned]
                        slot = dict(assigned)
                        if drop_policy == "gate":
                            vals = {t: g_np[t, slot[t]] for t in members}
                        else:
                            vals = {t: -float(t) for t in members}
                        vlist = [vals.get(t, -math.inf) for t in range(T)]
                        kept_tr = [t for t in members if not tr_dropped[t, slot[t]]]
                        v = judge_set(vlist, members, kept_tr, min(C, len(members)))
                        dverdict = worse(dverdict, v)
                        mine_kept = set(sorted(members, key=lambda t: (-vlist[t], t))[:C])
                        if v == "bad":
                            rep.fail(f"layers[{l}].dropped for expert {e} (C = {C}, {drop_policy}): trace keeps tokens "
                                     f"{sorted(kept_tr)}, expected {sorted(mine_kept)}")
                        use = set(kept_tr) if v != "bad" else mine_kept
                        for t in members:
                            dropped[t, slot[t]] = t not in use
                else:
                    dverdict = "exact"
                    if tr_dropped.any():
                        rep.fail(f"layers[{l}].dropped: capacity_factor is 0 but {int(tr_dropped.sum())} assignments are dropped")
                rep.discrete["dropped"] = worse(rep.discrete["dropped"], dverdict)
                # Combine: y_t = x_t + Σ_kept g·FFN_e(x_t).
                keep = torch.tensor(~dropped, dtype=torch.float64)
                combine = x.new_zeros(T, E).scatter_add(1, sel_t, g * keep)          # [T, E] kept gates
                for e in range(E):
                    y = y + combine[:, e:e + 1] * ffn(params, f"layers.{l}.experts.{e}", x, act)
                # Router losses (before drops).
                onehot = torch.zeros(T, E).scatter_add(1, sel_t, torch.ones(T, k))   # [T, E] selection counts
                f = onehot.sum(0) / (k * T)
                p = s if score == "softmax" else s / s.sum(dim=1, keepdim=True)
                bal = E * (f * p.mean(0)).sum()
                imp_vec = x.new_zeros(T, E).scatter_add(1, sel_t, g).sum(0)       # I_i = Σ_t g_{t,i}
            elif router == "expert_choice":
                c = cap if cap > 0 else float(cfg.get("top_k", 1))
                C = min(T, math.ceil(c * T / E - 1e-9))
                if tr_sel.shape != (T, E):
                    raise TraceError(f"layers[{l}].selected: shape {list(tr_sel.shape)}, expected [{T}, {E}] for expert choice")
                chosen = np.zeros((T, E), dtype=bool)
                verdict = "-"
                for e in range(E):
                    col = tr_sel[:, e]
                    if not np.all((col == e) | (col == -1)):
                        rep.fail(f"layers[{l}].selected[:, {e}]: entries must be {e} or -1")
                    kept_tr = [t for t in range(T) if col[t] == e]
                    vlist = list(s_np[:, e])
                    v = judge_set(vlist, list(range(T)), kept_tr, C)
                    verdict = worse(verdict, v)
                    mine = set(exact_order(vlist)[:C])
                    if v == "bad":
                        rep.fail(f"layers[{l}]: expert {e} (C = {C}) takes tokens {kept_tr}, expected {sorted(mine)}")
                    for t in (kept_tr if v != "bad" else mine):
                        chosen[t, e] = True
                rep.discrete["selected"] = worse(rep.discrete["selected"], verdict)
                rep.discrete["dropped"] = worse(rep.discrete["dropped"], "exact" if not np.any(tr_drop) else "bad")
                if np.any(tr_drop):
                    rep.fail(f"layers[{l}].dropped: expert choice drops nothing, expected all 0")
                mask = torch.tensor(chosen, dtype=torch.float64)
                g = s * mask                                                         # [T, E], 0 where not chosen
                rep.compare("gates", f"layers[{l}].gates", g.detach().numpy(), tr_gate)
                for e in range(E):
                    y = y + g[:, e:e + 1] * ffn(params, f"layers.{l}.experts.{e}", x, act)
                n = mask.sum(0)
                f = n / n.sum()
                bal = E * (f * s.mean(0)).sum()
                imp_vec = g.sum(0)
            else:
                raise TraceError(f"router {router!r} unknown")
            bal_sum = bal_sum + bal
            z_sum = z_sum + (torch.logsumexp(z, dim=1) ** 2).mean()
            imp_sum = imp_sum + imp_vec.var(unbiased=False) / imp_vec.mean() ** 2
        for sh in range(S):
            y = y + ffn(params, f"layers.{l}.shared.{sh}", x, act)
        if lm:
            stream = y
        else:
            x = y

    if lm:
        x = rms_norm(stream, params["norm_f.weight"])
    o = x @ params["head.weight"] + params["head.bias"]
    if task == "teacher":
        task_loss = ((o - torch.tensor(targets.reshape(o.shape))) ** 2).mean()
    else:
        cls = torch.tensor(targets.reshape(-1).astype(np.int64))  # lm: [B, n] row-major = t = b·n + j
        if cls.numel() != T:
            raise TraceError(f"batch.targets: {cls.numel()} class ids for {T} tokens")
        task_loss = F.cross_entropy(o, cls)
    n_moe = max(n_moe, 1)
    bal, zl, imp = bal_sum / n_moe, z_sum / n_moe, imp_sum / n_moe
    total = task_loss + alpha * bal + beta * zl + w_imp * imp

    losses = trace["losses"]
    for name, val in (("task", task_loss), ("balance", bal), ("z", zl), ("importance", imp), ("total", total)):
        if name not in losses:
            rep.fail(f"losses.{name} is missing")
            continue
        rep.compare("losses", f"losses.{name}", val.detach().numpy(), scalar_of(losses[name], f"losses.{name}"))

    names = list(params)
    grads = torch.autograd.grad(total, [params[n] for n in names], allow_unused=True)
    for name, gr in zip(names, grads):
        gr = torch.zeros_like(params[name]) if gr is None else gr
        if name not in trace["grads"]:
            rep.fail(f"grads.{name} is missing")
            continue
        rep.compare("grads", f"grads.{name}", gr.numpy(), tensor_of(trace["grads"][name], f"grads.{name}"))
    for name in trace["grads"]:
        if name not in params:
            rep.fail(f"grads.{name} has no parameter of that name")
    return cfg


def check_trace(path_or_trace, label=None, quiet=False):
    """Checks one trace (a path or a loaded dict); prints its table line unless quiet.
    Returns True when it passed, or (passed, failures) when quiet."""
    rep = Report()
    cfg = {}
    try:
        if isinstance(path_or_trace, dict):
            trace = path_or_trace
        else:
            with open(path_or_trace, encoding="utf-8") as fh:
                trace = json.load(fh)
        cfg = flat_config(trace.get("config")) if isinstance(trace, dict) else {}
        replay(trace, rep)
    except TraceError as exc:
        rep.fail(f"cannot replay: {exc}")
    except (OSError, ValueError, KeyError, IndexError, RuntimeError) as exc:
        rep.fail(f"cannot replay: {type(exc).__name__}: {exc}")
    ok = not rep.failures
    if quiet:
        return ok, rep.failures
    cols = []
    for kind in KINDS:
        a, r, _ = rep.worst[kind]
        cols.append(f"{kind} {a:.1e}/{r:.1e}")
    cols.append(f"sel {rep.discrete['selected']}")
    cols.append(f"drop {rep.discrete['dropped']}")
    name = label or (os.path.basename(path_or_trace) if isinstance(path_or_trace, str) else "trace")
    print(f"{'PASS' if ok else 'FAIL'}  {name:<18} {summary_of(cfg):<50} " + "  ".join(cols), flush=True)
    for msg in rep.failures[:12]:
        print(f"      - {msg}")
    if len(rep.failures) > 12:
        print(f"      - ... and {len(rep.failures) - 12} more")
    return ok


def print_header():
    print(f"torch {torch.__version__}, float64; columns: worst abs/rel difference per kind, "
          f"rel = |a-b|/max(|a|,|b|,1e-3) must be <= {REL_TOL:g}; "
          "sel/drop: exact, near (float near-tie accepted), bad")


# [SECTION] Generating traces with the binary
SMALL = {"batch_size": 32, "d_model": 8, "num_experts": 4, "expert_hidden": 16}
BASE = {  # every routing setting explicit, so the matrix does not depend on the preset's choices
    "task": "blobs", "router": "topk", "score": "softmax", "top_k": 1, "renormalize": "auto",
    "noisy_gating": "false", "capacity_factor": 0, "drop_policy": "position", "shared_experts": 0,
    "n_layers": 1, "activation": "gelu", "alpha": 0.01, "beta": 0.001, "w_importance": 0.1,
    "aux_free_gamma": 0,
}
CHARS_SMALL = {"chars_window": 4, "chars_embed": 4, "text_length": 5000}
LM_SMALL = {"task": "lm", "lm_context": 8, "lm_heads": 2, "lm_text": "generated", "text_length": 5000}
MATRIX = [
    # name, overrides
    ("switch_top1", {}),
    ("top2_auto", {"top_k": 2}),
    ("top2_renorm_true", {"top_k": 2, "renormalize": "true"}),
    ("top2_renorm_false", {"top_k": 2, "renormalize": "false"}),
    ("top1_renorm_true", {"top_k": 1, "renormalize": "true"}),
    ("teacher_top2", {"task": "teacher", "top_k": 2}),
    ("chars_top2", dict(task="chars", top_k=2, **CHARS_SMALL)),
    ("sigmoid_top2", {"top_k": 2, "score": "sigmoid"}),
    ("sigmoid_top1", {"top_k": 1, "score": "sigmoid"}),
    ("noisy_top2", {"top_k": 2, "noisy_gating": "true"}),
    ("noisy_sigmoid", {"top_k": 2, "score": "sigmoid", "noisy_gating": "true", "task": "teacher"}),
    ("cap_position", {"top_k": 2, "capacity_factor": 1.0, "drop_policy": "position"}),
    ("cap_gate", {"top_k": 2, "capacity_factor": 1.0, "drop_policy": "gate"}),
    ("cap_gate_top1", {"top_k": 1, "capacity_factor": 1.0, "drop_policy": "gate"}),
    ("cap_gate_sig_k1", {"top_k": 1, "score": "sigmoid", "capacity_factor": 1.0, "drop_policy": "gate"}),
    ("cap_pos_norenorm", {"top_k": 2, "renormalize": "false", "capacity_factor": 1.0, "drop_policy": "position"}),
    ("shared1", {"top_k": 2, "shared_experts": 1}),
    ("layers2", {"top_k": 2, "n_layers": 2}),
    ("relu", {"top_k": 2, "activation": "relu"}),
    ("gelu", {"top_k": 2, "activation": "gelu"}),
    ("silu", {"top_k": 2, "activation": "silu"}),
    ("aux_free", {"top_k": 2, "aux_free_gamma": 0.001}),
    ("ec_default", {"router": "expert_choice", "top_k": 2}),
    ("ec_cap1", {"router": "expert_choice", "top_k": 2, "capacity_factor": 1.0}),
    ("ec_noisy_chars", dict(router="expert_choice", top_k=2, noisy_gating="true", task="chars", **CHARS_SMALL)),
    ("dense", {"router": "dense"}),
    ("dense_teacher_L2", {"router": "dense", "task": "teacher", "n_layers": 2, "shared_experts": 1}),
    ("everything", {"task": "teacher", "top_k": 2, "score": "sigmoid", "noisy_gating": "true",
                    "capacity_factor": 1.0, "drop_policy": "gate", "shared_experts": 1, "n_layers": 2,
                    "activation": "silu"}),
    ("lm_top2", dict(top_k=2, **LM_SMALL)),
    ("lm_switch_cap", dict(top_k=1, capacity_factor=1.0, drop_policy="position", **LM_SMALL)),
    ("lm_sigmoid_gate", dict(top_k=2, score="sigmoid", capacity_factor=1.0, drop_policy="gate", **LM_SMALL)),
    ("lm_noisy_L2_S1", dict(top_k=2, noisy_gating="true", n_layers=2, shared_experts=1, activation="silu",
                            **LM_SMALL)),
    ("lm_ec", dict(router="expert_choice", top_k=2, activation="relu", **LM_SMALL)),
    ("lm_dense_L2", dict(router="dense", n_layers=2, **LM_SMALL)),
    ("lm_aux_free_h1", dict(LM_SMALL, top_k=2, aux_free_gamma=0.001, lm_heads=1)),
    ("everything_chars", dict(task="chars", top_k=2, renormalize="false", noisy_gating="true",
                              capacity_factor=1.0, drop_policy="position", shared_experts=1, n_layers=2,
                              activation="relu", **CHARS_SMALL)),
]


def generate_and_check(binary):
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="moescope_trace_") as tmp:
        for i, (name, overrides) in enumerate(MATRIX):
            settings = dict(BASE, **SMALL, seed=101 + i)
            settings.update(overrides)
            out = os.path.join(tmp, f"{name}.json")
            cmd = [binary, "trace", "--preset", "switch-top1"]
            for key, value in settings.items():
                cmd += ["--set", f"{key}={value}"]
            cmd += ["--out", out]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            except (OSError, subprocess.TimeoutExpired) as exc:
                print(f"FAIL  {name:<18} cannot run the binary: {exc}")
                failed += 1
                continue
            if proc.returncode != 0 or not os.path.exists(out):
                print(f"FAIL  {name:<18} `{' '.join(cmd)}` exited with {proc.returncode}"
                      f"{'' if os.path.exists(out) else ' and wrote no trace'}; stderr:")
                for line in (proc.stderr or "(empty)").rstrip().splitlines():
                    print(f"      | {line}")
                failed += 1
                continue
            if check_trace(out, name):
                passed += 1
            else:
                failed += 1
    return passed, failed


# [SECTION] Self-test: synthetic traces from a per-token reference
# A second implementation, written token by token with scalar formulas (no
# torch.softmax/topk/gelu/cross_entropy), makes traces in the docs/math.md layout; the
# vectorised replay above must accept them, and must reject corrupted copies.
def synth_trace(cfg, seed):
    gen = torch.Generator().manual_seed(seed)

    def randn(*shape, scale=1.0):
        return (torch.randn(*shape, generator=gen) * scale).requires_grad_(True)

    T, d, E, h = cfg["batch_size"], cfg["d_model"], cfg["num_experts"], cfg["expert_hidden"]
    k, S, L = cfg["top_k"], cfg["shared_experts"], cfg["n_layers"]
    router, score, task = cfg["router"], cfg["score"], cfg["task"]
    noisy = cfg["noisy_gating"] == "true" and router != "dense"
    cap, policy = cfg["capacity_factor"], cfg["drop_policy"]
    E_used = 1 if router == "dense" else E
    params = {}
    if task == "chars":
        vocab, window, d_e = 11, 3, 4
        params["embed.weight"] = randn(vocab, d_e)
        d_in, n_out = window * d_e, vocab
        inputs = torch.randint(0, vocab, (T, window), generator=gen)
        targets = torch.randint(0, vocab, (T,), generator=gen)
    elif task == "teacher":
        d_in, n_out = 5, 3
        inputs = torch.randn(T, d_in, generator=gen)
        targets = torch.randn(T, n_out, generator=gen)
    else:
        d_in, n_out = 2, 4
        inputs = torch.randn(T, d_in, generator=gen)
        targets = torch.randint(0, n_out, (T,), generator=gen)
    params["input.weight"] = randn(d_in, d, scale=0.7)
    params["input.bias"] = randn(d, scale=0.1)
    for l in range(L):
        if router != "dense":
            params[f"layers.{l}.router.weight"] = randn(d, E, scale=0.8)
            if noisy:
                params[f"layers.{l}.router.noise_weight"] = randn(d, E, scale=0.5)
        for kind, count in (("experts", E_used), ("shared", S)):
            for e in range(count):
                p = f"layers.{l}.{kind}.{e}"
                params[p + ".w1"] = randn(d, h, scale=0.5)
                params[p + ".b1"] = randn(h, scale=0.1)
                params[p + ".w2"] = randn(h, d, scale=0.3)
                params[p + ".b2"] = randn(d, scale=0.1)
    params["head.weight"] = randn(d, n_out, scale=0.6)
    params["head.bias"] = randn(n_out, scale=0.1)

    def phi(v):
        if cfg["activation"] == "relu":
            return v * (v > 0)
        if cfg["activation"] == "silu":
            return v / (1 + torch.exp(-v))
        return 0.5 * v * (1 + torch.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))

    def expert(prefix, row):
        return phi(row @ params[prefix + ".w1"] + params[prefix + ".b1"]) @ params[prefix + ".w2"] + params[prefix + ".b2"]

    if task == "chars":
        rows = [torch.cat([params["embed.weight"][int(i)] for i in inputs[t]]) for t in range(T)]
    else:
        rows = [inputs[t] for t in range(T)]
    xs = [r @ params["input.weight"] + params["input.bias"] for r in rows]
    renorm = score == "sigmoid" or cfg["renormalize"] == "true" or (cfg["renormalize"] == "auto" and k >= 2)
    layers, biases = [], []
    bal_t, z_t, imp_t = 0.0, 0.0, 0.0
    for l in range(L):
        if router == "dense":
            xs = [xt + expert(f"layers.{l}.experts.0", xt) + sum((expert(f"layers.{l}.shared.{s}", xt) for s in range(S)),
                                                                   torch.zeros(d)) for xt in xs]
            layers.append({"noise": None, "logits": None, "scores": None, "selected": None, "gates": None, "dropped": None})
            biases.append(None)
            continue
        bias = (torch.randn(E, generator=gen) * 0.05) if cfg.get("bias") else torch.zeros(E)
        eps = torch.randn(T, E, generator=gen) if noisy else None
        zs, ss = [], []
        for t, xt in enumerate(xs):
            zt = xt @ params[f"layers.{l}.router.weight"]
            if noisy:
                zt = zt + eps[t] * torch.log1p(torch.exp(xt @ params[f"layers.{l}.router.noise_weight"]))
            zs.append(zt)
            if score == "sigmoid" and router == "topk":
                ss.append(1 / (1 + torch.exp(-zt)))
            else:
                ex = torch.exp(zt - zt.max())
                ss.append(ex / ex.sum())
        width = k if router == "topk" else E
        sel = [[-1] * width for _ in range(T)]
        gates = [[torch.zeros(())] * width for _ in range(T)]
        dropped = [[0] * width for _ in range(T)]
        if router == "topk":
            for t in range(T):
                vals = [float(ss[t][i]) + float(bias[i]) for i in range(E)]
                order = sorted(range(E), key=lambda i: (-vals[i], i))[:k]
                denom = sum(ss[t][i] for i in order)
                for j, i in enumerate(order):
                    sel[t][j] = i
                    gates[t][j] = ss[t][i] / denom if renorm else ss[t][i]
            if cap > 0:
                C = math.ceil(cap * k * T / E - 1e-9)
                for e in range(E):
                    assigned = [(t, j) for t in range(T) for j in range(k) if sel[t][j] == e]
                    if policy == "gate":
                        assigned.sort(key=lambda tj: (-float(gates[tj[0]][tj[1]]), tj[0]))
                    for t, j in assigned[C:]:
                        dropped[t][j] = 1
        else:
            c = cap if cap > 0 else k
            C = min(T, math.ceil(c * T / E - 1e-9))
            for e in range(E):
                for t in sorted(range(T), key=lambda t: (-float(ss[t][e]), t))[:C]:
                    sel[t][e] = e
                    gates[t][e] = ss[t][e]
        # Layer output, token by token.
        new_xs = []
        for t, xt in enumerate(xs):
            yt = xt
            for j in range(width):
                if sel[t][j] >= 0 and not dropped[t][j]:
                    yt = yt + gates[t][j] * expert(f"layers.{l}.experts.{sel[t][j]}", xt)
            for s in range(S):
                yt = yt + expert(f"layers.{l}.shared.{s}", xt)
            new_xs.append(yt)
        # Router losses, before drops.
        counts = [sum(1 for t in range(T) for j in range(width) if sel[t][j] == i) for i in range(E)]
        if router == "topk":
            f = [counts[i] / (k * T) for i in range(E)]
        else:
            f = [counts[i] / sum(counts) for i in range(E)]
        probs = [st / st.sum() for st in ss] if (score == "sigmoid" and router == "topk") else ss
        bal_t = bal_t + E * sum(f[i] * sum(probs[t][i] for t in range(T)) / T for i in range(E))
        lse = [zt.max() + torch.log(torch.exp(zt - zt.max()).sum()) for zt in zs]
        z_t = z_t + sum(v * v for v in lse) / T
        imp = [sum((gates[t][j] for t in range(T) for j in range(width) if sel[t][j] == i), torch.zeros(())) for i in range(E)]
        mean = sum(imp) / E
        var = sum((v - mean) ** 2 for v in imp) / E
        imp_t = imp_t + var / mean ** 2
        layers.append({
            "noise": eps,
            "logits": torch.stack(zs), "scores": torch.stack(ss),
            "selected": torch.tensor(sel, dtype=torch.float64),
            "gates": torch.stack([torch.stack(list(r)) for r in gates]),
            "dropped": torch.tensor(dropped, dtype=torch.float64),
        })
        biases.append(bias)
        xs = new_xs
    outs = [xt @ params["head.weight"] + params["head.bias"] for xt in xs]
    if task == "teacher":
        task_loss = sum(((o - targets[t]) ** 2).sum() for t, o in enumerate(outs)) / (T * n_out)
    else:
        task_loss = sum(o.max() + torch.log(torch.exp(o - o.max()).sum()) - o[int(targets[t])]
                        for t, o in enumerate(outs)) / T
    n_moe = 0 if router == "dense" else L
    if n_moe:
        bal_t, z_t, imp_t = bal_t / n_moe, z_t / n_moe, imp_t / n_moe
    else:
        bal_t = z_t = imp_t = torch.zeros(())
    total = task_loss + cfg["alpha"] * bal_t + cfg["beta"] * z_t + cfg["w_importance"] * imp_t
    names = list(params)
    grads = torch.autograd.grad(total, [params[n] for n in names], allow_unused=True)

    def js(tensor_like):
        if tensor_like is None:
            return None
        a = tensor_like.detach().numpy() if torch.is_tensor(tensor_like) else np.asarray(tensor_like)
        return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}

    def js_int(tensor_like):
        if tensor_like is None:
            return None
        a = tensor_like.detach().numpy().astype(np.int64)
        return {"shape": list(a.shape), "data": [int(v) for v in a.reshape(-1)]}

    config = {key: cfg[key] for key in cfg if key != "bias"}
    return {
        "format": "moescope-trace/1",
        "config": config,
        "params": {n: js(params[n]) for n in names},
        "batch": {"inputs": js_int(inputs) if task == "chars" else js(inputs),
                  "targets": js(targets) if task == "teacher" else js_int(targets)},
        "layers": [{"noise": js(ly["noise"]), "logits": js(ly["logits"]), "scores": js(ly["scores"]),
                    "selected": js_int(ly["selected"]), "gates": js(ly["gates"]), "dropped": js_int(ly["dropped"])}
                   for ly in layers],
        "bias": [js(b) for b in biases],
        "losses": {"task": float(task_loss), "balance": float(bal_t), "z": float(z_t),
                   "importance": float(imp_t), "total": float(total)},
        "grads": {n: js(torch.zeros_like(params[n]) if g is None else g) for n, g in zip(names, grads)},
    }


SELF_BASE = dict(BASE, **SMALL, noisy_gating="false")
SELF_MATRIX = [
    ("st_switch_top1", {}),
    ("st_top2_bias", {"top_k": 2, "bias": True}),
    ("st_top2_norenorm", {"top_k": 2, "renormalize": "false"}),
    ("st_teacher", {"task": "teacher", "top_k": 2, "activation": "silu"}),
    ("st_chars", {"task": "chars", "top_k": 2, "activation": "relu"}),
    ("st_sigmoid", {"top_k": 2, "score": "sigmoid", "bias": True}),
    ("st_noisy", {"top_k": 2, "noisy_gating": "true"}),
    ("st_cap_position", {"top_k": 2, "capacity_factor": 1.0, "drop_policy": "position"}),
    ("st_cap_gate", {"top_k": 2, "capacity_factor": 1.0, "drop_policy": "gate"}),
    ("st_cap_pos_half", {"top_k": 2, "capacity_factor": 0.5, "drop_policy": "position", "bias": True}),
    ("st_cap_gate_half", {"top_k": 2, "capacity_factor": 0.5, "drop_policy": "gate"}),
    ("st_cap_gate_ties", {"top_k": 1, "score": "sigmoid", "capacity_factor": 1.0, "drop_policy": "gate"}),
    ("st_ec", {"router": "expert_choice", "top_k": 2}),
    ("st_ec_cap_noisy", {"router": "expert_choice", "top_k": 2, "capacity_factor": 1.0, "noisy_gating": "true"}),
    ("st_dense", {"router": "dense", "shared_experts": 1}),
    ("st_everything", {"task": "teacher", "top_k": 2, "score": "sigmoid", "noisy_gating": "true",
                       "capacity_factor": 1.0, "drop_policy": "gate", "shared_experts": 1, "n_layers": 2,
                       "activation": "silu", "bias": True}),
]


def corruptions(good):
    """(name, corrupted copy) pairs that a correct checker must reject. Most corrupt
    st_everything; the config lies prove the replay reads each routing setting."""
    out = []

    def variant(name, fn, base="st_everything"):
        t = copy.deepcopy(good[base])
        fn(t)
        out.append((name, t))

    def lie(key, value):
        return lambda t: t["config"].update({key: value})

    def bump(tensor, rel):
        i = int(np.argmax(np.abs(tensor["data"])))
        tensor["data"][i] *= 1 + rel

    variant("grad_1e-5", lambda t: bump(t["grads"]["layers.1.router.weight"], 1e-5))
    variant("grad_missing", lambda t: t["grads"].pop("layers.0.experts.2.w1"))
    variant("total_loss", lambda t: t["losses"].update(total=t["losses"]["total"] * (1 + 1e-5)))
    variant("balance_loss", lambda t: t["losses"].update(balance=t["losses"]["balance"] * (1 + 1e-5)))
    variant("logits", lambda t: bump(t["layers"][0]["logits"], 1e-5))
    variant("gates", lambda t: bump(t["layers"][0]["gates"], 1e-5))

    def swap_order(t):
        sel = t["layers"][0]["selected"]["data"]
        sel[0], sel[1] = sel[1], sel[0]

    def flip_drop(t):
        dr = t["layers"][1]["dropped"]["data"]
        i = dr.index(1) if 1 in dr else 0
        dr[i] = 1 - dr[i]

    variant("selected_order", swap_order)
    variant("dropped_flip", flip_drop)
    variant("noise_missing", lambda t: t["layers"][0].update(noise=None))
    variant("lie_policy", lie("drop_policy", "position"), base="st_cap_gate_half")
    variant("lie_capacity", lie("capacity_factor", 0.75), base="st_cap_gate_half")
    variant("lie_renorm", lie("renormalize", "false"), base="st_top2_bias")
    variant("lie_activation", lie("activation", "silu"), base="st_top2_bias")
    variant("lie_score", lie("score", "softmax"), base="st_sigmoid")
    variant("lie_alpha", lie("alpha", 0.02), base="st_top2_bias")
    variant("lie_ec_factor", lie("capacity_factor", 1.5), base="st_ec")
    variant("bias_ignored", lambda t: t.update(bias=[None]), base="st_top2_bias")
    variant("dense_logits", lambda t: t["layers"][0].update(logits={"shape": [1], "data": [0.0]}), base="st_dense")
    return out


def tie_rule_checks():
    """Unit checks of the routing rules: exact ties go to the lower index, float near-ties are accepted."""
    cases = [
        (judge_ordered([1.0, 1.0, 0.5], [0, 1]), "exact"),
        (judge_ordered([1.0, 1.0, 0.5], [1, 0]), "bad"),            # exact tie broken towards the higher index
        (judge_ordered([1.0, 1.0 + 4e-16, 0.5], [0, 1]), "near"),   # one ulp apart: either order is fine
        (judge_ordered([1.0, 1.0 + 1e-9, 0.5], [0, 1]), "bad"),     # a real difference
        (judge_ordered([0.2, 0.9, 0.5], [1, 0]), "bad"),            # not the top 2
        (judge_ordered([0.2, 0.9, 0.5], [1, 1]), "bad"),            # duplicate
        (judge_set([0.3, 0.3, 0.3, 0.1], [0, 1, 2, 3], [0, 1], 2), "exact"),
        (judge_set([0.3, 0.3, 0.3, 0.1], [0, 1, 2, 3], [0, 2], 2), "bad"),
        (judge_set([0.3, 0.3, 0.3 + 1e-16, 0.1], [0, 1, 2, 3], [0, 1], 2), "near"),
        (judge_set([0.3, 0.3, 0.3, 0.1], [0, 1, 2, 3], [0], 2), "bad"),  # wrong count
    ]
    bad = [i for i, (got, want) in enumerate(cases) if got != want]
    for i in bad:
        print(f"      - tie rule case {i}: got {cases[i][0]}, expected {cases[i][1]}")
    return not bad


def self_test():
    passed = failed = 0
    good = {}
    print("self-test: synthetic traces from the per-token reference (must pass)")
    for i, (name, overrides) in enumerate(SELF_MATRIX):
        cfg = dict(SELF_BASE, seed=7 + i)
        cfg.update(overrides)
        trace = json.loads(json.dumps(synth_trace(cfg, seed=1000 + i)))  # through JSON, as a file would be
        good[name] = trace
        if check_trace(trace, name):
            passed += 1
        else:
            failed += 1
    with tempfile.TemporaryDirectory(prefix="moescope_selftest_") as tmp:  # the file path as well
        path = os.path.join(tmp, "st_file.json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(good["st_everything"], fh)
        if check_trace(path, "st_file"):
            passed += 1
        else:
            failed += 1
    ok = tie_rule_checks()
    print(f"{'PASS' if ok else 'FAIL'}  {'tie_rules':<18} exact ties to the lower index, float near-ties accepted")
    passed, failed = passed + ok, failed + (not ok)
    print("self-test: corrupted traces (must be rejected)")
    for name, bad in corruptions(good):
        accepted, why = check_trace(bad, name, quiet=True)
        print(f"{'PASS' if not accepted else 'FAIL'}  {name:<18} corruption "
              + ("accepted (checker bug)" if accepted else f"rejected: {why[0]}"))
        if accepted:
            failed += 1
        else:
            passed += 1
    return passed, failed


# [SECTION] Main
def main(argv):
    ap = argparse.ArgumentParser(description="Replay moescope traces in PyTorch float64 and compare.")
    ap.add_argument("binary", nargs="?", help="the moescope binary (used to generate traces when none are given)")
    ap.add_argument("traces", nargs="*", help="trace files to check instead of generating them")
    ap.add_argument("--self-test", action="store_true", help="check synthetic traces made here; needs no binary")
    args = ap.parse_args(argv)
    print_header()
    if args.self_test:
        passed, failed = self_test()
    elif args.traces:
        passed = failed = 0
        for path in args.traces:
            if check_trace(path):
                passed += 1
            else:
                failed += 1
    elif args.binary:
        if not os.access(args.binary, os.X_OK):
            print(f"FAIL  the binary {args.binary!r} does not exist or is not executable")
            passed, failed = 0, 1
        else:
            passed, failed = generate_and_check(args.binary)
    else:
        ap.print_usage()
        print("give the moescope binary, trace files, or --self-test")
        passed, failed = 0, 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
