# torch_bench_common.py: the harness the PyTorch peers of `moescope bench` share
# (torch_step.py, torch_lm_step.py): the torch import check, the --steps and
# --threads options, the seeding, the warm-up and timed loops, and the one JSON
# line they print:
#   {"tokens_per_s": ..., "step_ms": ..., "threads": ..., "torch": "..."}
# or {"error": "..."} (exit 77 when torch cannot be imported, 1 when the loss is
# not finite). The scripts import it from their own folder (Python puts a
# script's folder first on sys.path), so it stays beside them in bench/.
import argparse
import json
import sys
import time

try:
    import torch
except Exception as exc:
    print(json.dumps({"error": f"cannot import torch with {sys.executable}: {exc!r}"}))
    sys.exit(77)


def positive_int(text):
    """argparse type: a whole number of 1 or more, else a message naming what is allowed."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not allowed: a whole number of 1 or more")
    return n


def add_harness_args(ap, steps, warmup):
    """--steps (timed steps, `steps` by default, after `warmup` untimed ones) and --threads."""
    ap.add_argument("--steps", type=positive_int, default=steps, help=f"timed steps (after {warmup} warm-up steps)")
    ap.add_argument("--threads", type=positive_int, default=2, help="torch.set_num_threads")


def seeded(args):
    """Sets the intra-op thread count and torch's seed (1); returns the data generator (seed 2)."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    return torch.Generator().manual_seed(2)


def time_steps(step, steps, warmup, tokens_per_step):
    """Runs step(i) `warmup` times untimed, then `steps` times timed; prints the JSON line.

    step(i) trains one step on batch i and returns its loss. Returns the exit status.
    """
    for i in range(warmup):
        step(i)
    start = time.perf_counter()
    for i in range(steps):
        loss = step(i)
    elapsed = time.perf_counter() - start
    if not torch.isfinite(loss):
        print(json.dumps({"error": "loss is not finite"}))
        return 1
    print(json.dumps({
        "tokens_per_s": tokens_per_step * steps / elapsed,
        "step_ms": 1000.0 * elapsed / steps,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))
    return 0
