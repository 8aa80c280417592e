#!/usr/bin/env python3
"""PyTorch side of `go run ./examples/bench`: one AdamW training step (and one forward-only
evaluation) of the same architecture, shapes and batch as golemon's preset, timed.

Reads one JSON spec from stdin (written by examples/bench), prints one JSON line:
  {"step_ms": [...], "eval_ms": [...], "matmul_gflops": g, "threads": t, "torch": version}

The model mirrors lemon/arch exactly: Pre-LN blocks with separate Q, K, V and output
projections, 1/sqrt(d) scores, exact (erf) GELU, LayerNorm with the preset's epsilon; ViT with
flattened (row, column, channel) patches, a CLS token, learned positions, a final LN and a
head on CLS; BERT with token + position + segment embeddings, a final LN and the decoder tied
to the token embedding at the masked positions; GPT-2 with token + position embeddings, causal
blocks, a final LN and the LM head tied to the token embedding at every position. Loss:
cross-entropy (weighted for BERT; next-token for GPT-2).
Dropout is 0, as in the benchmarked presets. Needs Debian's python3-torch (with
libopenblas0-pthread for a real BLAS); no other package.
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, hd, mlp, eps, causal=False, gelu="exact"):
        super().__init__()
        self.heads, self.hd, self.causal, self.gelu = heads, hd, causal, "tanh" if gelu == "tanh" else "none"
        self.ln1 = nn.LayerNorm(d, eps=eps)
        self.q, self.k, self.v = nn.Linear(d, heads * hd), nn.Linear(d, heads * hd), nn.Linear(d, heads * hd)
        self.o = nn.Linear(heads * hd, d)
        self.ln2 = nn.LayerNorm(d, eps=eps)
        self.fc1, self.fc2 = nn.Linear(d, mlp), nn.Linear(mlp, d)

    def forward(self, x):
        b, t, _ = x.shape
        h = self.ln1(x)
        split = lambda y: y.view(b, t, self.heads, self.hd).transpose(1, 2)  # [B, H, T, K]
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.hd)
        if self.causal:  # key after query: -1e9, as golemon's penalty
            scores = scores + torch.triu(torch.full((t, t), -1e9), diagonal=1)
        probs = torch.softmax(scores, dim=-1)
        ctx = (probs @ v).transpose(1, 2).reshape(b, t, self.heads * self.hd)
        x = x + self.o(ctx)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate=self.gelu))


class Encoder(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.blocks = nn.ModuleList(
            Block(s["width"], s["heads"], s["head_dim"], s["mlp"], s["eps"], s["kind"] == "gpt2", s.get("gelu", "exact"))
            for _ in range(s["layers"]))
        self.final = nn.LayerNorm(s["width"], eps=s["eps"])

    def forward(self, x):
        for blk in self.blocks:
            x = blk(x)
        return self.final(x)


class ViT(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.p, d = s["patch"], s["width"]
        n = (s["image"] // self.p) ** 2
        self.embed = nn.Linear(self.p * self.p * s["channels"], d)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.pos = nn.Parameter(torch.zeros(1, n + 1, d))
        self.enc = Encoder(s)
        self.head = nn.Linear(d, s["classes"])

    def forward(self, images):  # [B, S, S, C]
        b, side, _, c = images.shape
        n = side // self.p
        x = images.view(b, n, self.p, n, self.p, c).permute(0, 1, 3, 2, 4, 5).reshape(b, n * n, -1)
        x = torch.cat([self.cls.expand(b, -1, -1), self.embed(x)], 1) + self.pos
        return self.head(self.enc(x)[:, 0])


class BERT(nn.Module):
    def __init__(self, s):
        super().__init__()
        d = s["width"]
        self.tok = nn.Embedding(s["vocab"], d)
        self.pos = nn.Embedding(s["seq"], d)
        self.seg = nn.Embedding(2, d)
        self.enc = Encoder(s)
        self.bias = nn.Parameter(torch.zeros(s["vocab"]))

    def forward(self, ids, segs, positions):  # [B, T], [B, T], [B, M]
        t = ids.shape[1]
        x = self.tok(ids) + self.pos.weight[:t] + self.seg(segs)
        x = self.enc(x)
        h = torch.gather(x, 1, positions.unsqueeze(-1).expand(-1, -1, x.shape[-1]))  # [B, M, D]
        return h @ self.tok.weight.t() + self.bias


class GPT2(nn.Module):
    """Token + learned position embeddings, causal Pre-LN blocks, final LN, LM head tied to the
    token embedding (no bias): logits at every position, as golemon's gpt2 family."""

    def __init__(self, s):
        super().__init__()
        d = s["width"]
        self.tok = nn.Embedding(s["vocab"], d)
        self.pos = nn.Embedding(s["seq"], d)
        self.enc = Encoder(s)

    def forward(self, ids):  # [B, T]
        t = ids.shape[1]
        return self.enc(self.tok(ids) + self.pos.weight[:t]) @ self.tok.weight.t()


def make(s):
    g = torch.Generator().manual_seed(1)
    b = s["batch"]
    if s["kind"] == "vit":
        model = ViT(s)
        images = torch.rand(b, s["image"], s["image"], s["channels"], generator=g)
        labels = torch.randint(0, s["classes"], (b,), generator=g)
        return model, (images,), lambda out: F.cross_entropy(out, labels)
    if s["kind"] == "gpt2":  # next-token loss at positions 0 … T−2, as golemon's CausalLMTask
        model = GPT2(s)
        ids = torch.randint(0, s["vocab"], (b, s["seq"]), generator=g)
        return model, (ids,), lambda out: F.cross_entropy(out[:, :-1].reshape(-1, s["vocab"]), ids[:, 1:].reshape(-1))
    model = BERT(s)
    ids = torch.randint(5, s["vocab"], (b, s["seq"]), generator=g)
    segs = torch.zeros(b, s["seq"], dtype=torch.long)
    positions = torch.randint(1, s["seq"] - 1, (b, s["max_pred"]), generator=g)
    labels = torch.randint(5, s["vocab"], (b, s["max_pred"]), generator=g)
    weights = torch.ones(b, s["max_pred"])

    def loss(out):
        ce = F.cross_entropy(out.reshape(-1, s["vocab"]), labels.reshape(-1), reduction="none")
        return (ce * weights.reshape(-1)).sum() / weights.sum()
    return model, (ids, segs, positions), loss


def main():
    s = json.load(sys.stdin)
    torch.set_num_threads(s["threads"])
    torch.manual_seed(1)
    model, inputs, loss_fn = make(s)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(*inputs)).backward()
        opt.step()

    def evaluate():
        with torch.no_grad():
            model(*inputs)

    timings = {}
    for name, fn in (("step_ms", step), ("eval_ms", evaluate)):
        for _ in range(s["warmup"]):
            fn()
        times = []
        for _ in range(s["steps"]):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1e3)
        timings[name] = times

    n = 1024
    a, c = torch.rand(n, n), torch.rand(n, n)
    a @ c
    start = time.perf_counter()
    for _ in range(5):
        a @ c
    gflops = 5 * 2 * n ** 3 / (time.perf_counter() - start) / 1e9
    print(json.dumps(dict(timings, matmul_gflops=gflops, threads=torch.get_num_threads(), torch=torch.__version__)))


if __name__ == "__main__":
    main()
