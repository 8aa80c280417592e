#!/usr/bin/env python3
"""An independent PyTorch implementation of Hugging Face's BERT and ViT (and timm's
VisionTransformer), by module name, to write small random checkpoints in the upstream layout
(fixtures for lemon/hf's import tests) and to check the checkpoints golemon exports: load them
by name with strict loading, run the same inputs, compare the outputs with the Go forward's.

Only torch, numpy and the standard library are used (no transformers, no timm, no safetensors
package): the modules below re-create the upstream ones' attribute names, so that
`state_dict()` keys are exactly the upstream checkpoint names, and their forward arithmetic.

Upstream code read (module names, structure and forward):

  - transformers, src/transformers/models/bert/modeling_bert.py (read at commit
    004ad5f50b627b59bf0d581c31bc0052b6cfd40b, a 4.x version): BertEmbeddings (word_embeddings
    with padding_idx=pad_token_id, position_embeddings, token_type_embeddings, LayerNorm,
    dropout; embeddings = word + token_type + position, then LayerNorm), BertSelfAttention
    (query, key, value; scores / sqrt(attention_head_size), softmax), BertSelfOutput (dense,
    LayerNorm(dense(x) + input)), BertAttention (self, output), BertIntermediate (dense, act),
    BertOutput (dense, LayerNorm), BertLayer (attention, intermediate, output), BertEncoder
    (layer), BertPooler (dense, tanh of token 0), BertPredictionHeadTransform (dense, act,
    LayerNorm), BertLMPredictionHead (transform, decoder = Linear(D, V, bias=False), bias;
    decoder.bias = bias), BertOnlyMLMHead (predictions), BertModel (embeddings, encoder,
    pooler if add_pooling_layer), BertForMaskedLM (bert = BertModel(add_pooling_layer=False),
    cls), BertForSequenceClassification (bert, dropout, classifier on the pooler output).
    Two things differ in current versions and are followed here: `embeddings.position_ids` is
    a non-persistent buffer (persistent=False since transformers PR #24505, v4.31; older
    checkpoints hold it as a tensor), and BertForMaskedLM declares
    _tied_weights_keys = ["predictions.decoder.bias", "cls.predictions.decoder.weight"],
    which save_pretrained leaves out of model.safetensors.
  - transformers, src/transformers/models/vit/modeling_vit.py (read at commit
    005db8208dee358fe8fe63ae3cc49dd054aad48d): ViTEmbeddings (cls_token [1, 1, D],
    patch_embeddings, position_embeddings [1, N+1, D], dropout), ViTPatchEmbeddings
    (projection = Conv2d(C, D, kernel_size=P, stride=P); .flatten(2).transpose(1, 2), so
    patches in raster order), ViTSelfAttention (query, key, value with bias=qkv_bias),
    ViTSelfOutput (dense), ViTAttention (attention, output), ViTIntermediate (dense, act),
    ViTOutput (dense, + input), ViTLayer (layernorm_before, attention, layernorm_after,
    intermediate, output; Pre-LN), ViTEncoder (layer), ViTModel (embeddings, encoder,
    layernorm, pooler if add_pooling_layer: ViTPooler dense + tanh of token 0),
    ViTForImageClassification (vit = ViTModel(add_pooling_layer=False), classifier on
    sequence_output[:, 0, :]).
  - timm (pytorch-image-models), timm/models/vision_transformer.py (read at commit
    aa4b5850c1543fa488abf260f18390eda46cf85d, version 1.0.29.dev0): VisionTransformer
    (patch_embed, cls_token, pos_embed, pos_drop, patch_drop, norm_pre, blocks, norm,
    fc_norm, head_drop, head; _pos_embed concatenates cls then adds pos_embed; global_pool
    'token' takes x[:, 0] after norm), Block (norm1, attn, ls1, norm2, mlp, ls2), with
    timm/layers/attention.py Attention (qkv = Linear(D, 3D): reshape(B, N, 3, H, hd), so the
    weight rows are q, then k, then v; q * scale; proj), timm/layers/mlp.py Mlp (fc1, act,
    fc2), timm/layers/patch_embed.py PatchEmbed (proj = Conv2d(C, D, P, stride P)),
    timm/layers/norm.py LayerNorm (eps 1e-6), hub config from timm/models/_hub.py
    save_config_for_hf (architecture, num_classes, num_features, global_pool, model_args,
    pretrained_cfg). Modules without parameters (Identity norms, layer scale, drop path)
    are left out: they add no keys and do nothing in eval mode.

Semantics (those of golemon's forward): GELU as hidden_act / activation_function names it
("gelu", the exact erf form, or the tanh approximation "gelu_new" / "gelu_pytorch_tanh";
anything else is refused), LayerNorm with layer_norm_eps (timm: 1e-6), attention scores scaled by
1/sqrt(hidden_size / num_attention_heads), no attention mask (every token is real), dropout
off (eval mode). BERT is Post-LN; ViT and timm are Pre-LN with a final norm.

Commands (see --help of each):
  random    one random checkpoint: DIR/config.json, DIR/model.safetensors, and
            DIR/expected.safetensors with the inputs and PyTorch's outputs.
  check     load DIR strictly, run the inputs of FILE, compare with FILE's outputs.
  fixtures  the fixture set lemon/hf's tests read (lemon/hf/testdata).
  selftest  checks of this script itself (safetensors round trip, check's positive and
            negative controls, the patch layout).
"""
import argparse
import io
import json
import math
import os
import shutil
import struct
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Failure(Exception):
    """A check or load that failed; the message says why."""


# ---------------------------------------------------------------------------------------
# safetensors, in pure Python. Format (github.com/huggingface/safetensors, README): an 8-byte
# little-endian u64 N, N bytes of JSON {name: {"dtype", "shape", "data_offsets": [b, e]},
# "__metadata__": {str: str}} (padded with spaces), then the data buffer; offsets are relative
# to the buffer, tensors row-major little-endian, contiguous, no holes.

ST_DTYPES = {  # name: (torch dtype, element size, numpy dtype for writing)
    "F64": (torch.float64, 8, "<f8"),
    "F32": (torch.float32, 4, "<f4"),
    "F16": (torch.float16, 2, "<f2"),
    "BF16": (torch.bfloat16, 2, None),
    "I64": (torch.int64, 8, "<i8"),
    "I32": (torch.int32, 4, "<i4"),
}
TORCH_TO_ST = {v[0]: k for k, v in ST_DTYPES.items()}

if sys.byteorder != "little":
    raise SystemExit("hf_torch.py: this safetensors reader and writer assume a little-endian host")


def tensor_bytes(t):
    t = t.detach().cpu().contiguous()
    if t.dtype not in TORCH_TO_ST:
        raise Failure(f"safetensors: dtype {t.dtype} is not written by this script")
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().astype(ST_DTYPES[TORCH_TO_ST[t.dtype]][2], copy=False).tobytes()


def write_safetensors(path, tensors):
    """Writes tensors (name → torch.Tensor) in name order, with {"format": "pt"} metadata."""
    header = {"__metadata__": {"format": "pt"}}
    blobs, at = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        b = tensor_bytes(t)
        header[name] = {"dtype": TORCH_TO_ST[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise Failure(f"safetensors header: key {k!r} appears twice")
        out[k] = v
    return out


def read_safetensors(path):
    """Returns ({name: tensor} in file order, metadata), validating the header as golemon does."""
    with open(path, "rb") as f:
        data = f.read()
    base = os.path.basename(path)
    if len(data) < 8:
        raise Failure(f"safetensors {base}: {len(data)} bytes, shorter than the header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise Failure(f"safetensors {base}: header length {n} exceeds the file")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"), object_pairs_hook=_no_duplicates)
    except ValueError as e:
        raise Failure(f"safetensors {base}: header: {e}") from None
    meta = header.pop("__metadata__", {}) or {}
    buf = memoryview(data)[8 + n:]
    entries = []
    for name, e in header.items():
        dt = e.get("dtype")
        if dt not in ST_DTYPES:
            raise Failure(f"safetensors {base}: tensor {name!r} has dtype {dt!r}, not one of {sorted(ST_DTYPES)}")
        shape, (b, end) = list(e["shape"]), e["data_offsets"]
        want = math.prod(shape) * ST_DTYPES[dt][1]
        if not (0 <= b <= end <= len(buf)) or end - b != want:
            raise Failure(f"safetensors {base}: tensor {name!r} has data_offsets [{b}, {end}] for {dt}{shape} "
                          f"({want} bytes) in a {len(buf)}-byte buffer")
        entries.append((b, end, name, dt, shape))
    entries.sort()
    at = 0
    for b, end, name, _, _ in entries:
        if b != at:
            raise Failure(f"safetensors {base}: tensor {name!r} starts at {b}, the previous one ended at {at}")
        at = end
    if at != len(buf):
        raise Failure(f"safetensors {base}: {len(buf) - at} bytes after the last tensor belong to no tensor")
    out = {}
    for b, end, name, dt, shape in entries:
        tdt = ST_DTYPES[dt][0]
        if end == b:
            out[name] = torch.empty(shape, dtype=tdt)
        else:  # frombuffer keeps every bit (NaN payloads included), for every dtype
            out[name] = torch.frombuffer(bytearray(buf[b:end]), dtype=tdt).reshape(shape)
    return out, meta


# ---------------------------------------------------------------------------------------
# Configs.

class Config:
    """Attribute access to a config.json dict, with transformers' defaults for what is absent."""
    DEFAULTS = dict(hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, layer_norm_eps=1e-12,
                    pad_token_id=0, type_vocab_size=2, position_embedding_type="absolute", qkv_bias=True,
                    image_size=224, patch_size=16, num_channels=3, hidden_act="gelu",
                    n_inner=None, attention_bias=False, mlp_bias=False, rope_scaling=None, head_dim=None)

    def __init__(self, d):
        self.__dict__.update(self.DEFAULTS)
        self.__dict__.update(d)
        if "id2label" in d:
            self.num_labels = len(d["id2label"])
        else:
            self.num_labels = d.get("num_labels", 2)


GELU_FORMS = ("gelu", "gelu_new", "gelu_pytorch_tanh")


def activation(name, field="hidden_act"):
    """transformers' ACT2FN for the GELU forms golemon computes (activations.py)."""
    if name == "gelu":
        return GELUActivation()
    if name == "gelu_new":
        return NewGELUActivation()
    if name == "gelu_pytorch_tanh":
        return PytorchGELUTanh()
    raise Failure(f"{field} {name!r} is not implemented: only {', '.join(GELU_FORMS)} (the GELU forms golemon computes)")


class GELUActivation(nn.Module):
    """transformers' ACT2FN["gelu"]: nn.functional.gelu, the exact erf form."""

    def forward(self, x):
        return F.gelu(x)


class NewGELUActivation(nn.Module):
    """transformers' ACT2FN["gelu_new"] (OpenAI GPT-2's), written as in activations.py."""

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class PytorchGELUTanh(nn.Module):
    """transformers' ACT2FN["gelu_pytorch_tanh"]: PyTorch's own tanh approximation."""

    def forward(self, x):
        return F.gelu(x, approximate="tanh")


# ---------------------------------------------------------------------------------------
# BERT (transformers modeling_bert.py).

class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        if c.position_embedding_type != "absolute":
            raise Failure(f"position_embedding_type {c.position_embedding_type!r}: only \"absolute\" is implemented")
        self.register_buffer("position_ids", torch.arange(c.max_position_embeddings).expand((1, -1)), persistent=False)

    def forward(self, input_ids, token_type_ids):
        t = input_ids.shape[1]
        if t > self.position_ids.shape[1]:
            raise Failure(f"sequence length {t} exceeds max_position_embeddings {self.position_ids.shape[1]}")
        e = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        e = e + self.position_embeddings(self.position_ids[:, :t])
        return self.dropout(self.LayerNorm(e))


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        if c.hidden_size % c.num_attention_heads:
            raise Failure(f"hidden_size {c.hidden_size} is not a multiple of num_attention_heads {c.num_attention_heads}")
        self.num_attention_heads = c.num_attention_heads
        self.attention_head_size = c.hidden_size // c.num_attention_heads
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(c.hidden_size, self.all_head_size)
        self.key = nn.Linear(c.hidden_size, self.all_head_size)
        self.value = nn.Linear(c.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def transpose_for_scores(self, x):
        return x.view(x.shape[:-1] + (self.num_attention_heads, self.attention_head_size)).permute(0, 2, 1, 3)

    def forward(self, x):
        q = self.transpose_for_scores(self.query(x))
        k = self.transpose_for_scores(self.key(x))
        v = self.transpose_for_scores(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.attention_head_size)
        probs = self.dropout(torch.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.shape[:-2] + (self.all_head_size,))


class BertSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, h, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(h)) + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c)

    def forward(self, x):
        return self.output(self.self(x), x)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)
        self.intermediate_act_fn = activation(c.hidden_act)

    def forward(self, x):
        return self.intermediate_act_fn(self.dense(x))


class BertOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.intermediate_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, h, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(h)) + input_tensor)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, x):
        a = self.attention(x)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, x):
        for layer in self.layer:
            x = layer(x)
        return x


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, h):
        return self.activation(self.dense(h[:, 0]))


class BertPredictionHeadTransform(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.transform_act_fn = activation(c.hidden_act)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, h):
        return self.LayerNorm(self.transform_act_fn(self.dense(h)))


class BertLMPredictionHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transform = BertPredictionHeadTransform(c)
        self.decoder = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(c.vocab_size))
        self.decoder.bias = self.bias  # as upstream: one Parameter under two names

    def forward(self, h):
        return self.decoder(self.transform(h))


class BertOnlyMLMHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.predictions = BertLMPredictionHead(c)

    def forward(self, h):
        return self.predictions(h)


class BertModel(nn.Module):
    tied = {}  # tied key → its source, for keys a saved checkpoint leaves out

    def __init__(self, c, add_pooling_layer=True):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c) if add_pooling_layer else None

    def forward(self, input_ids, token_type_ids):
        h = self.encoder(self.embeddings(input_ids, token_type_ids))
        out = {"last_hidden_state": h}
        if self.pooler is not None:
            out["pooler_output"] = self.pooler(h)
        return out


class BertForMaskedLM(nn.Module):
    tied = {"cls.predictions.decoder.weight": "bert.embeddings.word_embeddings.weight",
            "cls.predictions.decoder.bias": "cls.predictions.bias"}

    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c, add_pooling_layer=False)
        self.cls = BertOnlyMLMHead(c)
        # tie_weights(): the decoder's weight is the word embedding (its bias is already
        # cls.predictions.bias).
        self.cls.predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight

    def forward(self, input_ids, token_type_ids):
        return {"logits": self.cls(self.bert(input_ids, token_type_ids)["last_hidden_state"])}


class BertForSequenceClassification(nn.Module):
    tied = {}

    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        self.classifier = nn.Linear(c.hidden_size, c.num_labels)

    def forward(self, input_ids, token_type_ids):
        return {"logits": self.classifier(self.dropout(self.bert(input_ids, token_type_ids)["pooler_output"]))}


# ---------------------------------------------------------------------------------------
# ViT (transformers modeling_vit.py).

class ViTPatchEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.image_size, self.patch_size, self.num_channels = c.image_size, c.patch_size, c.num_channels
        if c.image_size % c.patch_size:
            raise Failure(f"image_size {c.image_size} is not a multiple of patch_size {c.patch_size}")
        self.num_patches = (c.image_size // c.patch_size) ** 2
        self.projection = nn.Conv2d(c.num_channels, c.hidden_size, kernel_size=c.patch_size, stride=c.patch_size)

    def forward(self, pixel_values):
        _, ch, h, w = pixel_values.shape
        if ch != self.num_channels or h != self.image_size or w != self.image_size:
            raise Failure(f"pixel_values are {list(pixel_values.shape)}; the model takes "
                          f"[B, {self.num_channels}, {self.image_size}, {self.image_size}]")
        # [B, D, S/P, S/P] → [B, N, D]: patches in raster order (patch row, then column)
        return self.projection(pixel_values).flatten(2).transpose(1, 2)


class ViTEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, c.hidden_size))
        self.patch_embeddings = ViTPatchEmbeddings(c)
        self.position_embeddings = nn.Parameter(torch.zeros(1, self.patch_embeddings.num_patches + 1, c.hidden_size))
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, pixel_values):
        e = self.patch_embeddings(pixel_values)
        e = torch.cat((self.cls_token.expand(e.shape[0], -1, -1), e), dim=1)
        return self.dropout(e + self.position_embeddings)


class ViTSelfAttention(BertSelfAttention):
    def __init__(self, c):
        super().__init__(c)
        if not c.qkv_bias:
            self.query = nn.Linear(c.hidden_size, self.all_head_size, bias=False)
            self.key = nn.Linear(c.hidden_size, self.all_head_size, bias=False)
            self.value = nn.Linear(c.hidden_size, self.all_head_size, bias=False)


class ViTSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, h):
        return self.dropout(self.dense(h))


class ViTAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = ViTSelfAttention(c)
        self.output = ViTSelfOutput(c)

    def forward(self, x):
        return self.output(self.attention(x))


class ViTIntermediate(BertIntermediate):
    pass


class ViTOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.intermediate_size, c.hidden_size)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, h, input_tensor):
        return self.dropout(self.dense(h)) + input_tensor


class ViTLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = ViTAttention(c)
        self.intermediate = ViTIntermediate(c)
        self.output = ViTOutput(c)
        self.layernorm_before = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.layernorm_after = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, x):
        h = self.attention(self.layernorm_before(x)) + x
        return self.output(self.intermediate(self.layernorm_after(h)), h)


class ViTEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([ViTLayer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, x):
        for layer in self.layer:
            x = layer(x)
        return x


class ViTPooler(BertPooler):
    pass


class ViTModel(nn.Module):
    tied = {}

    def __init__(self, c, add_pooling_layer=True):
        super().__init__()
        self.embeddings = ViTEmbeddings(c)
        self.encoder = ViTEncoder(c)
        self.layernorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.pooler = ViTPooler(c) if add_pooling_layer else None

    def forward(self, pixel_values):
        h = self.layernorm(self.encoder(self.embeddings(pixel_values)))
        out = {"last_hidden_state": h}
        if self.pooler is not None:
            out["pooler_output"] = self.pooler(h)
        return out


class ViTForImageClassification(nn.Module):
    tied = {}

    def __init__(self, c):
        super().__init__()
        self.vit = ViTModel(c, add_pooling_layer=False)
        self.classifier = nn.Linear(c.hidden_size, c.num_labels)

    def forward(self, pixel_values):
        return {"logits": self.classifier(self.vit(pixel_values)["last_hidden_state"][:, 0, :])}


# ---------------------------------------------------------------------------------------
# timm VisionTransformer (timm/models/vision_transformer.py), global_pool 'token'.

TIMM_EPS = 1e-6  # timm.layers.LayerNorm's default; timm's configs do not record it


class PatchEmbed(nn.Module):
    def __init__(self, img_size, patch_size, in_chans, embed_dim):
        super().__init__()
        self.img_size, self.patch_size, self.in_chans = img_size, patch_size, in_chans
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        if list(x.shape[1:]) != [self.in_chans, self.img_size, self.img_size]:
            raise Failure(f"pixel_values are {list(x.shape)}; the model takes "
                          f"[B, {self.in_chans}, {self.img_size}, {self.img_size}]")
        return self.proj(x).flatten(2).transpose(1, 2)  # NCHW → NLC


class Attention(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias=True):
        super().__init__()
        if dim % num_heads:
            raise Failure(f"embed_dim {dim} is not a multiple of num_heads {num_heads}")
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()  # exact erf
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_hidden, qkv_bias=True):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=TIMM_EPS)
        self.attn = Attention(dim, num_heads, qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=TIMM_EPS)
        self.mlp = Mlp(dim, mlp_hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    tied = {}

    def __init__(self, img_size, patch_size, in_chans, num_classes, embed_dim, depth, num_heads, mlp_ratio,
                 qkv_bias=True):
        super().__init__()
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + 1, embed_dim))
        self.blocks = nn.Sequential(*[Block(embed_dim, num_heads, int(embed_dim * mlp_ratio), qkv_bias)
                                      for _ in range(depth)])
        self.norm = nn.LayerNorm(embed_dim, eps=TIMM_EPS)
        self.head = nn.Linear(embed_dim, num_classes)

    def forward(self, pixel_values):
        x = self.patch_embed(pixel_values)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        x = self.norm(self.blocks(x))
        return {"logits": self.head(x[:, 0])}



# ---------------------------------------------------------------------------------------
# GPT-2 (transformers modeling_gpt2.py): Conv1D stores weights as [in, out].

class Conv1D(nn.Module):
    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        return torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight).view(x.size()[:-1] + (self.nf,))


def gpt2_activation(name):
    return activation(name, "activation_function")


class GPT2Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_dim, self.num_heads = c.n_embd, c.n_head
        if self.embed_dim % self.num_heads:
            raise Failure(f"n_embd {c.n_embd} is not a multiple of n_head {c.n_head}")
        self.head_dim = self.embed_dim // self.num_heads
        self.c_attn = Conv1D(3 * self.embed_dim, self.embed_dim)
        self.c_proj = Conv1D(self.embed_dim, self.embed_dim)

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = self.c_attn(x).split(self.embed_dim, dim=2)
        split = lambda y: y.view(b, t, self.num_heads, self.head_dim).permute(0, 2, 1, 3)
        q, k, v = split(q), split(k), split(v)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        scores = scores.masked_fill(~causal, torch.finfo(scores.dtype).min)
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).reshape(b, t, self.embed_dim)
        return self.c_proj(ctx)


class GPT2MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        inner = c.n_inner if c.n_inner is not None else 4 * c.n_embd
        self.c_fc = Conv1D(inner, c.n_embd)
        self.c_proj = Conv1D(c.n_embd, inner)
        self.act = gpt2_activation(c.activation_function)

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


class GPT2Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)
        self.attn = GPT2Attention(c)
        self.ln_2 = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)
        self.mlp = GPT2MLP(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c.vocab_size, c.n_embd)
        self.wpe = nn.Embedding(c.n_positions, c.n_embd)
        self.h = nn.ModuleList([GPT2Block(c) for _ in range(c.n_layer)])
        self.ln_f = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)

    def forward(self, input_ids):
        t = input_ids.shape[1]
        if t > self.wpe.num_embeddings:
            raise Failure(f"sequence length {t} exceeds n_positions {self.wpe.num_embeddings}")
        x = self.wte(input_ids) + self.wpe(torch.arange(t))[None]
        for block in self.h:
            x = block(x)
        return self.ln_f(x)


class GPT2LMHeadModel(nn.Module):
    tied = {"lm_head.weight": "transformer.wte.weight"}

    def __init__(self, c):
        super().__init__()
        if not c.tie_word_embeddings:
            raise Failure("tie_word_embeddings false: only GPT-2's tied LM head is implemented")
        self.transformer = GPT2Model(c)
        self.lm_head = nn.Linear(c.n_embd, c.vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight

    def forward(self, input_ids):
        return {"logits": self.lm_head(self.transformer(input_ids))}


# ---------------------------------------------------------------------------------------
# LLaMA (transformers modeling_llama.py): RMSNorm, rotate-half RoPE, repeat_kv, SwiGLU.

class LlamaRMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.variance_epsilon = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.variance_epsilon))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rope_cos_sin(t, head_dim, theta, dtype):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    freqs = torch.outer(torch.arange(t, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(dtype)[None, None], emb.sin().to(dtype)[None, None]  # [1, 1, T, d]


def repeat_kv(x, n_rep):
    b, h, t, d = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(b, h, n_rep, t, d).reshape(b, h * n_rep, t, d)


class LlamaAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.num_heads, self.num_kv = c.num_attention_heads, c.num_key_value_heads
        if self.num_heads % self.num_kv:
            raise Failure(f"num_attention_heads {self.num_heads} is not a multiple of num_key_value_heads {self.num_kv}")
        self.head_dim = c.head_dim if getattr(c, "head_dim", None) else c.hidden_size // c.num_attention_heads
        self.rope_theta = c.rope_theta
        bias = c.attention_bias
        self.q_proj = nn.Linear(c.hidden_size, self.num_heads * self.head_dim, bias=bias)
        self.k_proj = nn.Linear(c.hidden_size, self.num_kv * self.head_dim, bias=bias)
        self.v_proj = nn.Linear(c.hidden_size, self.num_kv * self.head_dim, bias=bias)
        self.o_proj = nn.Linear(self.num_heads * self.head_dim, c.hidden_size, bias=bias)

    def forward(self, x):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.num_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.num_kv, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.num_kv, self.head_dim).transpose(1, 2)
        cos, sin = rope_cos_sin(t, self.head_dim, self.rope_theta, q.dtype)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        g = self.num_heads // self.num_kv
        k, v = repeat_kv(k, g), repeat_kv(v, g)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim)
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        scores = scores.masked_fill(~causal, torch.finfo(scores.dtype).min)
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).reshape(b, t, -1)
        return self.o_proj(ctx)


class LlamaMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        if c.hidden_act != "silu":
            raise Failure(f"hidden_act {c.hidden_act!r} is not implemented: LLaMA's is \"silu\"")
        bias = c.mlp_bias
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=bias)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=bias)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=bias)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = LlamaAttention(c)
        self.mlp = LlamaMLP(c)
        self.input_layernorm = LlamaRMSNorm(c.hidden_size, c.rms_norm_eps)
        self.post_attention_layernorm = LlamaRMSNorm(c.hidden_size, c.rms_norm_eps)

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList([LlamaDecoderLayer(c) for _ in range(c.num_hidden_layers)])
        self.norm = LlamaRMSNorm(c.hidden_size, c.rms_norm_eps)
        self.max_positions = c.max_position_embeddings

    def forward(self, input_ids):
        if input_ids.shape[1] > self.max_positions:
            raise Failure(f"sequence length {input_ids.shape[1]} exceeds max_position_embeddings {self.max_positions}")
        x = self.embed_tokens(input_ids)
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)


class LlamaForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        if getattr(c, "rope_scaling", None):
            raise Failure(f"rope_scaling {c.rope_scaling!r} is not implemented")
        self.model = LlamaModel(c)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        self.tied = {}
        if c.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight
            self.tied = {"lm_head.weight": "model.embed_tokens.weight"}

    def forward(self, input_ids):
        return {"logits": self.lm_head(self.model(input_ids))}

# ---------------------------------------------------------------------------------------
# Building, loading, running.

BERT_ARCHS = ("BertForMaskedLM", "BertForSequenceClassification", "BertModel")
VIT_ARCHS = ("ViTForImageClassification", "ViTModel")
DECODER_ARCHS = ("GPT2LMHeadModel", "LlamaForCausalLM")
TIMM = "timm-vit"
ARCHS = BERT_ARCHS + VIT_ARCHS + (TIMM,)


def architecture(cfg):
    if "architecture" in cfg:  # timm's hub config
        return TIMM
    a = cfg.get("architectures")
    if not a or len(a) != 1:
        raise Failure(f"config.json: \"architectures\" is {a!r}; want one of {list(BERT_ARCHS + VIT_ARCHS + DECODER_ARCHS)}")
    if a[0] not in BERT_ARCHS + VIT_ARCHS + DECODER_ARCHS:
        raise Failure(f"config.json: architecture {a[0]!r} is not implemented here (only {list(ARCHS + DECODER_ARCHS)})")
    return a[0]


def build(cfg):
    """Returns (architecture name, model in eval mode) for a config.json dict."""
    arch = architecture(cfg)
    if arch == TIMM:
        if cfg.get("global_pool", "token") != "token":
            raise Failure(f"config.json: global_pool {cfg.get('global_pool')!r}: only \"token\" is implemented")
        a = cfg["model_args"]
        unknown = sorted(set(a) - {"img_size", "patch_size", "in_chans", "embed_dim", "depth", "num_heads",
                                   "mlp_ratio", "qkv_bias"})
        if unknown:
            raise Failure(f"config.json: model_args {unknown} are not implemented here")
        model = VisionTransformer(a.get("img_size", 224), a.get("patch_size", 16), a.get("in_chans", 3),
                                  cfg["num_classes"], a["embed_dim"], a["depth"], a["num_heads"],
                                  a.get("mlp_ratio", 4.0), a.get("qkv_bias", True))
    else:
        c = Config(cfg)
        model = {"BertForMaskedLM": BertForMaskedLM, "BertForSequenceClassification": BertForSequenceClassification,
                 "BertModel": BertModel, "ViTForImageClassification": ViTForImageClassification,
                 "ViTModel": ViTModel, "GPT2LMHeadModel": GPT2LMHeadModel,
                 "LlamaForCausalLM": LlamaForCausalLM}[arch](c)
    return arch, model.eval()


def file_state(model):
    """The state dict as a saved checkpoint holds it: without the tied keys."""
    return {k: v for k, v in model.state_dict().items() if k not in model.tied}


def num_params(model):
    return sum(p.numel() for p in model.parameters())  # shared parameters once


def load_strict(model, tensors, dtype):
    """Loads tensors (name → tensor, as read) into model in dtype. Fills exactly the tied keys
    (absent from saved checkpoints) from their sources, then load_state_dict(strict=True); any
    other missing or unexpected key, or a wrong shape, fails naming it. Returns notes."""
    sd = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in tensors.items()}
    notes, problems = [], []
    for key, source in model.tied.items():
        if key in sd:  # a file that keeps the tied copy must keep it equal to its source
            if source in sd and torch.equal(sd[key], sd[source]):
                notes.append(f"the file holds the tied key {key} (equal to {source}; transformers leaves it out)")
            else:
                problems.append(f"tied key {key!r} differs from its source {source!r}")
        elif source in sd:
            sd[key] = sd[source]
            notes.append(f"filled the tied key {key} from {source}")
    want = model.state_dict()
    missing = [k for k in want if k not in sd]
    unexpected = [k for k in sd if k not in want]
    problems += [f"missing key {k!r} {list(want[k].shape)}" for k in missing]
    problems += [f"unexpected key {k!r} {list(sd[k].shape)}" for k in unexpected]
    problems += [f"key {k!r} is {list(sd[k].shape)}, the model's is {list(want[k].shape)}"
                 for k in want if k in sd and sd[k].shape != want[k].shape]
    if problems:
        raise Failure("strict loading failed: " + "; ".join(problems))
    model.to(dtype)
    model.load_state_dict(sd, strict=True)
    return notes


def run(arch, model, inputs):
    with torch.no_grad():
        if arch in BERT_ARCHS:
            return model(inputs["input_ids"], inputs["token_type_ids"])
        if arch in DECODER_ARCHS:
            return model(inputs["input_ids"])
        return model(inputs["pixel_values"])


def weights_dtype(tensors):
    floats = {v.dtype for v in tensors.values() if v.is_floating_point()}
    return torch.float64 if floats == {torch.float64} else torch.float32


def load_dir(path):
    """(arch, model loaded strictly, dtype it runs in, tensor count, notes) of a checkpoint folder."""
    with open(os.path.join(path, "config.json")) as f:
        cfg = json.load(f)
    arch, model = build(cfg)
    tensors, _ = read_safetensors(os.path.join(path, "model.safetensors"))
    dtype = weights_dtype(tensors)
    notes = load_strict(model, tensors, dtype)
    return arch, model, dtype, len(tensors), notes


# ---------------------------------------------------------------------------------------
# random

BERT_SIZES = {
    "tiny": dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=40, vocab_size=50,
                 max_position_embeddings=16, type_vocab_size=2, layer_norm_eps=1e-12),
    "minilm": dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536,
                   vocab_size=30522, max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12),
}
VIT_TINY = dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=40, image_size=8,
                patch_size=4, num_channels=3, layer_norm_eps=1e-12)
# Random weights: std of weights and biases, of embedding tables (and cls/position tokens);
# LayerNorm gains are 1 + 0.1·N(0, 1). Large for tiny, so that a test is sensitive.
INIT_STD = {"tiny": (0.2, 0.5), "minilm": (0.05, 0.5)}
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16, "float64": torch.float64}


def make_config(arch, size, classes, dtype):
    if arch in BERT_ARCHS:
        s = BERT_SIZES[size]
    elif size != "tiny":
        raise Failure(f"--size {size}: only tiny is implemented for {arch}")
    else:
        s = VIT_TINY
    if arch == TIMM:
        d = s["hidden_size"]
        return {"architecture": "vit_tiny_custom", "num_classes": classes, "num_features": d, "global_pool": "token",
                "model_args": {"img_size": s["image_size"], "patch_size": s["patch_size"],
                               "in_chans": s["num_channels"], "embed_dim": d, "depth": s["num_hidden_layers"],
                               "num_heads": s["num_attention_heads"], "mlp_ratio": s["intermediate_size"] / d},
                "pretrained_cfg": {"input_size": [s["num_channels"], s["image_size"], s["image_size"]]}}
    cfg = {"architectures": [arch], "model_type": "bert" if arch in BERT_ARCHS else "vit", "hidden_act": "gelu",
           "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
           "torch_dtype": dtype}
    cfg.update(s)
    if arch in BERT_ARCHS:
        cfg.update(pad_token_id=0, position_embedding_type="absolute")
    else:
        cfg.update(qkv_bias=True, encoder_stride=s["patch_size"])
    if arch in ("BertForSequenceClassification", "ViTForImageClassification", "ViTModel"):
        cfg["id2label"] = {str(i): f"LABEL_{i}" for i in range(classes)}
        cfg["label2id"] = {f"LABEL_{i}": i for i in range(classes)}
    return cfg


EMBEDDING_NAMES = ("word_embeddings.weight", "position_embeddings.weight", "token_type_embeddings.weight",
                   "cls_token", "position_embeddings", "pos_embed")


def randomize(model, std, emb_std, dtype):
    gains = {id(m.weight) for m in model.modules() if isinstance(m, nn.LayerNorm)}
    with torch.no_grad():
        for name, p in model.named_parameters():  # in module order, tied parameters once
            r = torch.randn(p.shape, dtype=dtype)
            if id(p) in gains:
                p.copy_(1 + 0.1 * r)
            elif name.endswith(EMBEDDING_NAMES):
                p.copy_(emb_std * r)
            else:
                p.copy_(std * r)


def make_random(arch, out, dtype_name="float32", seed=1, size="tiny", classes=5, batch=2, seq=7):
    """Writes out/config.json, out/model.safetensors, out/expected.safetensors; returns the arch."""
    store = DTYPES[dtype_name]
    compute = torch.float64 if store == torch.float64 else torch.float32
    cfg = make_config(arch, size, classes, dtype_name)
    torch.manual_seed(seed)
    _, model = build(cfg)
    model.to(compute)
    std, emb_std = INIT_STD[size]
    randomize(model, std, emb_std, compute)
    weights = {k: v.to(store) for k, v in file_state(model).items()}
    if arch in BERT_ARCHS:
        inputs = {"input_ids": torch.randint(0, cfg["vocab_size"], (batch, seq), dtype=torch.int64),
                  "token_type_ids": torch.randint(0, cfg["type_vocab_size"], (batch, seq), dtype=torch.int64)}
    else:
        c, s = (cfg["model_args"]["in_chans"], cfg["model_args"]["img_size"]) if arch == TIMM else \
            (cfg["num_channels"], cfg["image_size"])
        inputs = {"pixel_values": torch.randn(batch, c, s, s, dtype=compute)}
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    write_safetensors(os.path.join(out, "model.safetensors"), weights)
    # The expected outputs come from the checkpoint as written and read back, loaded strictly.
    arch2, loaded, dtype, _, _ = load_dir(out)
    assert arch2 == arch and dtype == compute, (arch2, dtype)
    outputs = run(arch, loaded, inputs)
    if store in (torch.float32, torch.float64):  # the in-memory model must agree exactly
        direct = run(arch, model, inputs)
        for k in outputs:
            assert torch.equal(direct[k], outputs[k]), k
    write_safetensors(os.path.join(out, "expected.safetensors"), {**inputs, **outputs})
    return arch


# ---------------------------------------------------------------------------------------
# check

def check(model_dir, ours_file, rtol=1e-5, out=sys.stdout):
    """Prints one line per compared output; returns True when all are within rtol. Raises
    Failure when the checkpoint cannot be loaded strictly or the inputs are unusable."""
    arch, model, dtype, n_loaded, notes = load_dir(model_dir)
    filled = [n.split()[4] for n in notes if n.startswith("filled the tied key")]
    notes = [n for n in notes if not n.startswith("filled the tied key")]
    print(f"{arch} {model_dir}: {num_params(model):,} parameters, {n_loaded} tensors loaded strictly"
          + (f" (+{len(filled)} tied: {', '.join(filled)})" if filled else "") + f", run in {str(dtype)[6:]}",
          file=out)
    for n in notes:
        print(f"  note: {n}", file=out)
    ours, _ = read_safetensors(ours_file)
    if arch in BERT_ARCHS:
        if "input_ids" not in ours:
            raise Failure(f"{ours_file} has no input_ids")
        ids = ours["input_ids"].to(torch.int64)
        if "token_type_ids" in ours:
            types = ours["token_type_ids"].to(torch.int64)
        else:
            types = torch.zeros_like(ids)
            print("  note: no token_type_ids in the file: zeros (transformers' default)", file=out)
        inputs = {"input_ids": ids, "token_type_ids": types}
    elif arch in DECODER_ARCHS:
        if "input_ids" not in ours:
            raise Failure(f"{ours_file} has no input_ids")
        inputs = {"input_ids": ours["input_ids"].to(torch.int64)}
    else:
        if "pixel_values" not in ours:
            raise Failure(f"{ours_file} has no pixel_values")
        inputs = {"pixel_values": ours["pixel_values"].to(dtype)}
    theirs = run(arch, model, inputs)
    compared = [k for k in theirs if k in ours]
    if not compared:
        raise Failure(f"{ours_file} holds none of {arch}'s outputs {list(theirs)} (it has {list(ours)})")
    ok = True
    for k in compared:
        t, o = theirs[k], ours[k].to(dtype)
        if list(t.shape) != list(o.shape):
            print(f"{arch} {model_dir}: {k}: ours is {list(o.shape)}, PyTorch's {list(t.shape)}: FAIL", file=out)
            ok = False
            continue
        delta = (t - o).abs().max().item()
        scale = t.abs().max().item()
        rel = delta / scale if scale > 0 else delta
        good = rel <= rtol  # False for NaN
        ok &= good
        print(f"{arch} {model_dir}: {k} {list(t.shape)}: max |Δ| = {delta:.2g}, max |{k}| = {scale:.3g}, "
              f"relative {rel:.2g} {'≤' if good else '>'} {rtol:g}: {'ok' if good else 'FAIL'}", file=out)
    return ok


# ---------------------------------------------------------------------------------------
# fixtures

FIXTURES = [  # name, arch, dtype, classes, seed
    ("bert-mlm", "BertForMaskedLM", "float32", 5, 1),
    ("bert-cls", "BertForSequenceClassification", "float32", 3, 2),
    ("bert-model", "BertModel", "float32", 5, 3),
    ("bert-mlm-f16", "BertForMaskedLM", "float16", 5, 4),
    ("bert-mlm-f64", "BertForMaskedLM", "float64", 5, 5),
    ("vit-cls", "ViTForImageClassification", "float32", 5, 6),
    ("vit-cls-bf16", "ViTForImageClassification", "bfloat16", 5, 7),
    ("vit-model", "ViTModel", "float32", 5, 8),
    ("timm-vit", TIMM, "float32", 5, 9),
]

README = """# lemon/hf test fixtures

Small random checkpoints in the upstream layouts (transformers' BERT and ViT, timm's
VisionTransformer), each a folder with `config.json`, `model.safetensors` (the weights as
the upstream code names them; BertForMaskedLM without the tied `cls.predictions.decoder.*`)
and `expected.safetensors` (the inputs, `input_ids` + `token_type_ids` or `pixel_values`,
and PyTorch's outputs: `logits`, or `last_hidden_state` + `pooler_output` for BertModel and
ViTModel).

Made by the independent PyTorch implementation in `scripts/hf_torch.py` with

    python3 scripts/hf_torch.py fixtures --out lemon/hf/testdata

(Debian's python3 with torch 1.13 and numpy; nothing else). The weights and inputs come
from `torch.manual_seed` and are regenerated deterministically, byte for byte; the expected
outputs are computed single-threaded, so rerunning the command on the same machine writes
identical files (another BLAS build may differ in the last bits of the outputs).

| folder | architecture | weights | classes | seed |
| --- | --- | --- | --- | --- |
{rows}

All are `tiny`: hidden 16, 2 layers, 2 heads, intermediate 40; BERT vocab 50, 16 positions,
2 token types, ε 1e-12, batch 2 × 7 tokens; ViT 8×8 images of 3 channels in 4×4 patches,
ε 1e-12 (timm: 1e-6), batch 2. Weights and biases are N(0, 0.2²), embeddings, class token and
positions N(0, 0.5²), LayerNorm gains 1 + 0.1·N(0, 1). For float16 and bfloat16 the outputs
come from the stored (rounded) weights run in float32; float64 ones run in float64.
ViTModel has no classifier; its config.json still carries an id2label of 5 labels, so that an
importer that adds a classifier (as ViTForImageClassification.from_pretrained would) knows
how many.

`python3 scripts/hf_torch.py check --model DIR --ours FILE` compares another forward's outputs
(FILE: the same input names and outputs) against PyTorch's on the checkpoint in DIR;
`python3 scripts/hf_torch.py selftest` checks the script itself.
"""


def make_fixtures(out):
    os.makedirs(out, exist_ok=True)
    rows = []
    for name, arch, dtype, classes, seed in FIXTURES:
        d = os.path.join(out, name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        make_random(arch, d, dtype, seed, "tiny", classes)
        k = classes if arch not in ("BertForMaskedLM", "BertModel") else "–"
        rows.append(f"| {name} | {'timm VisionTransformer' if arch == TIMM else arch} | {dtype} | {k} | {seed} |")
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(README.replace("{rows}", "\n".join(rows)))


# ---------------------------------------------------------------------------------------
# selftest

def patch_matrix(conv_weight):
    """golemon's patch weight: W[(r·P + c)·C + ch, d] == conv.weight[d, ch, r, c]."""
    d, ch, p, _ = conv_weight.shape
    return conv_weight.permute(2, 3, 1, 0).reshape(p * p * ch, d)


def unfold_patches(x, p):
    """[B, C, S, S] → [B, N, P·P·C]: patches in raster order, each flattened in (row, column,
    channel) order."""
    b, ch, s, _ = x.shape
    g = s // p
    return x.reshape(b, ch, g, p, g, p).permute(0, 2, 4, 3, 5, 1).reshape(b, g * g, p * p * ch)


def selftest():
    t0 = time.time()
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    tmp = tempfile.mkdtemp(prefix="hf_torch_selftest_")
    try:
        # (1) Round trip, bit exact, every dtype (with ±0, inf, NaN, subnormals, an empty tensor).
        ts = {}
        for st, (dt, _, _) in ST_DTYPES.items():
            if dt.is_floating_point:
                v = torch.randn(3, 5, generator=g, dtype=torch.float64) * 10
                v[0, :4] = torch.tensor([0.0, -0.0, math.inf, math.nan], dtype=torch.float64)
                v[1, 0] = torch.finfo(dt).tiny / 4  # subnormal
                ts[f"{st}/m"] = v.to(dt)
            else:
                ts[f"{st}/m"] = torch.randint(torch.iinfo(dt).min, torch.iinfo(dt).max, (4, 3), generator=g, dtype=dt)
            ts[f"{st}/scalar"] = torch.ones((), dtype=dt)
            ts[f"{st}/empty"] = torch.zeros((0, 3), dtype=dt)
        p1, p2 = os.path.join(tmp, "a.safetensors"), os.path.join(tmp, "b.safetensors")
        write_safetensors(p1, ts)
        back, meta = read_safetensors(p1)
        assert meta == {"format": "pt"}, meta
        assert set(back) == set(ts)
        for k, v in ts.items():
            assert back[k].dtype == v.dtype and list(back[k].shape) == list(v.shape), k
            assert tensor_bytes(back[k]) == tensor_bytes(v), f"{k} is not bit-exact"
        write_safetensors(p2, back)
        with open(p1, "rb") as f1, open(p2, "rb") as f2:
            assert f1.read() == f2.read()
        with open(p1, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
        assert n % 8 == 0
        print(f"ok  safetensors writer → reader round trip bit-exact for {', '.join(ST_DTYPES)} "
              f"({len(ts)} tensors, header {n} bytes)")

        # (2) check: passes on each model's own expected outputs, fails on a perturbed weight
        # and on a renamed key.
        quiet = io.StringIO()
        for arch, dtype in [("BertForMaskedLM", "float32"), ("BertForSequenceClassification", "float32"),
                            ("BertModel", "float32"), ("BertForMaskedLM", "float16"),
                            ("BertForMaskedLM", "float64"), ("ViTForImageClassification", "float32"),
                            ("ViTForImageClassification", "bfloat16"), ("ViTModel", "float32"), (TIMM, "float32")]:
            d = os.path.join(tmp, f"{arch}-{dtype}")
            make_random(arch, d, dtype, seed=11, classes=3)
            exp = os.path.join(d, "expected.safetensors")
            buf = io.StringIO()
            assert check(d, exp, 1e-5, out=buf), buf.getvalue()
            lines = [l for l in buf.getvalue().splitlines() if l.endswith(": ok")]
            print(f"ok  check passes on its own outputs: {arch} {dtype}: " +
                  "; ".join(l.split(": ", 1)[1].split(": max")[0] + ": " + l.split("relative ")[1].split(" ")[0]
                            for l in lines))
            if dtype != "float32":
                continue
            weights, _ = read_safetensors(os.path.join(d, "model.safetensors"))
            # Negative controls. (a) One weight tensor of the first layer (the MLP's first
            # matrix) perturbed by 1e-3 relative, every element × (1 + 1e-3): must FAIL.
            key = [k for k in weights if k.endswith(("layer.0.intermediate.dense.weight", "blocks.0.mlp.fc1.weight"))][0]
            dp = os.path.join(tmp, "perturbed")
            shutil.copytree(d, dp, dirs_exist_ok=True)
            rels = []
            for how in ("scale", "element"):
                bad = dict(weights)
                bad[key] = weights[key] * (1 + 1e-3) if how == "scale" else weights[key].clone()
                if how == "element":  # (b) one element += 1e-3: reported, not asserted
                    bad[key].view(-1)[0] += 1e-3
                write_safetensors(os.path.join(dp, "model.safetensors"), bad)
                buf = io.StringIO()
                passed = check(dp, exp, 1e-5, out=buf)
                if how == "scale":
                    assert not passed, f"perturbing {key} went unnoticed:\n{buf.getvalue()}"
                rels.append(max(float(l.split("relative ")[1].split(" ")[0]) for l in buf.getvalue().splitlines()
                                if "relative " in l))
            print(f"ok  check FAILS with {key} × (1 + 1e-3): relative {rels[0]:.2g} > 1e-05 "
                  f"(one element += 1e-3 instead: relative {rels[1]:.2g}, {'caught' if rels[1] > 1e-5 else 'below rtol'})")
            # Renamed key: strict loading names both sides.
            old = [k for k in weights if k.endswith("query.weight") or k.endswith("qkv.weight")][0]
            new = old.replace("query", "q").replace("qkv", "q_k_v")
            ren = {(new if k == old else k): v for k, v in weights.items()}
            write_safetensors(os.path.join(dp, "model.safetensors"), ren)
            try:
                check(dp, exp, 1e-5, out=quiet)
                raise AssertionError(f"renaming {old} went unnoticed")
            except Failure as e:
                msg = str(e)
            assert repr(old) in msg and repr(new) in msg, msg
            print(f"ok  check FAILS when {old} is renamed {new}: {msg}")
            if arch == "BertForMaskedLM":
                # A file that keeps the tied copies: accepted when equal to their sources,
                # refused when not; without the source, the key is missing.
                tied = dict(weights)
                tied["cls.predictions.decoder.weight"] = weights["bert.embeddings.word_embeddings.weight"].clone()
                tied["cls.predictions.decoder.bias"] = weights["cls.predictions.bias"].clone()
                write_safetensors(os.path.join(dp, "model.safetensors"), tied)
                buf = io.StringIO()
                assert check(dp, exp, 1e-5, out=buf) and "tied key" in buf.getvalue()
                tied["cls.predictions.decoder.bias"] = tied["cls.predictions.decoder.bias"] + 1
                write_safetensors(os.path.join(dp, "model.safetensors"), tied)
                try:
                    check(dp, exp, 1e-5, out=quiet)
                    raise AssertionError("a tied key unlike its source went unnoticed")
                except Failure as e:
                    assert "cls.predictions.decoder.bias" in str(e), str(e)
                drop = {k: v for k, v in weights.items() if k != "cls.predictions.bias"}
                write_safetensors(os.path.join(dp, "model.safetensors"), drop)
                try:
                    check(dp, exp, 1e-5, out=quiet)
                    raise AssertionError("a missing cls.predictions.bias went unnoticed")
                except Failure as e:
                    assert "'cls.predictions.bias'" in str(e), str(e)
                extra = dict(weights)
                extra["bert.embeddings.position_ids"] = torch.arange(16).unsqueeze(0)
                write_safetensors(os.path.join(dp, "model.safetensors"), extra)
                try:
                    check(dp, exp, 1e-5, out=quiet)
                    raise AssertionError("an unexpected key went unnoticed")
                except Failure as e:
                    assert "'bert.embeddings.position_ids'" in str(e), str(e)
                print("ok  tied keys: kept copies equal to their sources load, unequal ones fail; "
                      "a missing cls.predictions.bias and an extra bert.embeddings.position_ids fail")
            shutil.rmtree(dp)

        # (3) The ViT patch conv is an unfold in (row, column, channel) order times golemon's
        # W[(r·P + c)·C + ch, d] == conv.weight[d, ch, r, c], plus the bias.
        b, ch, s, p, dm = 2, 3, 12, 4, 5
        conv = nn.Conv2d(ch, dm, kernel_size=p, stride=p).double()
        x = torch.randn(b, ch, s, s, generator=g, dtype=torch.float64)
        with torch.no_grad():
            want = conv(x).flatten(2).transpose(1, 2)
            w = patch_matrix(conv.weight)
            got = unfold_patches(x, p) @ w + conv.bias
        for r in range(p):
            for c in range(p):
                for k in range(ch):
                    assert torch.equal(w[(r * p + c) * ch + k], conv.weight[:, k, r, c].detach())
        # patch n = (i, j) in raster order holds pixel (i·P + r, j·P + c) of channel ch
        i, j, r, c, k = 1, 2, 3, 0, 2
        assert unfold_patches(x, p)[0, i * (s // p) + j, (r * p + c) * ch + k] == x[0, k, i * p + r, j * p + c]
        err = (want - got).abs().max().item()
        assert err < 1e-12, err
        print(f"ok  patch conv == unfold (row, column, channel) @ W[(r*P+c)*C+ch, d] (= conv.weight[d, ch, r, c]) "
              f"+ bias: max |Δ| = {err:.1g} (float64)")

        # (4) Cross-check of the two ViT namings: an HF ViTForImageClassification and a timm
        # VisionTransformer with its weights renamed (qkv = cat(query, key, value)) agree.
        hf_dir = os.path.join(tmp, "ViTForImageClassification-float32")
        arch, hf, _, _, _ = load_dir(hf_dir)
        for m in hf.modules():
            if isinstance(m, nn.LayerNorm):
                m.eps = TIMM_EPS
        cfg = make_config(TIMM, "tiny", 3, "float32")
        _, tm = build(cfg)
        w = file_state(hf)
        ren = {"cls_token": w["vit.embeddings.cls_token"], "pos_embed": w["vit.embeddings.position_embeddings"],
               "patch_embed.proj.weight": w["vit.embeddings.patch_embeddings.projection.weight"],
               "patch_embed.proj.bias": w["vit.embeddings.patch_embeddings.projection.bias"],
               "norm.weight": w["vit.layernorm.weight"], "norm.bias": w["vit.layernorm.bias"],
               "head.weight": w["classifier.weight"], "head.bias": w["classifier.bias"]}
        for li in range(cfg["model_args"]["depth"]):
            h, t = f"vit.encoder.layer.{li}.", f"blocks.{li}."
            for leaf in ("weight", "bias"):
                ren[t + "attn.qkv." + leaf] = torch.cat([w[h + f"attention.attention.{n}.{leaf}"]
                                                         for n in ("query", "key", "value")])
                for a, bname in (("norm1", "layernorm_before"), ("norm2", "layernorm_after"),
                                 ("attn.proj", "attention.output.dense"), ("mlp.fc1", "intermediate.dense"),
                                 ("mlp.fc2", "output.dense")):
                    ren[t + a + "." + leaf] = w[h + bname + "." + leaf]
        load_strict(tm, ren, torch.float32)
        exp, _ = read_safetensors(os.path.join(hf_dir, "expected.safetensors"))
        inputs = {"pixel_values": exp["pixel_values"]}
        a, bb = run(arch, hf, inputs)["logits"], run(TIMM, tm, inputs)["logits"]
        err = ((a - bb).abs().max() / a.abs().max()).item()
        assert err < 1e-5, err
        print(f"ok  HF ViT == timm ViT with renamed weights (qkv rows q, k, v): relative {err:.1g}")

        # (5) GELU is the exact erf form; fixtures are byte-identical when remade.
        z = torch.linspace(-6, 6, 101, dtype=torch.float64)
        assert (F.gelu(z) - 0.5 * z * (1 + torch.erf(z / math.sqrt(2)))).abs().max() < 1e-15
        d1, d2 = os.path.join(tmp, "again1"), os.path.join(tmp, "again2")
        make_random("BertForMaskedLM", d1, "float32", seed=11, classes=3)
        make_random("BertForMaskedLM", d2, "float32", seed=11, classes=3)
        for f in ("config.json", "model.safetensors", "expected.safetensors"):
            with open(os.path.join(d1, f), "rb") as x1, open(os.path.join(d2, f), "rb") as x2:
                assert x1.read() == x2.read(), f
        print("ok  GELU is erf-exact; random checkpoints are byte-identical when remade")
    finally:
        shutil.rmtree(tmp)
    print(f"selftest passed in {time.time() - t0:.1f} s")
    return 0


# ---------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("random", help="write one random checkpoint with its expected outputs")
    r.add_argument("--arch", required=True, choices=ARCHS)
    r.add_argument("--out", required=True, help="folder to write")
    r.add_argument("--dtype", default="float32", choices=list(DTYPES))
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--size", default="tiny", choices=["tiny", "minilm"])
    r.add_argument("--classes", type=int, default=5)
    r.add_argument("--batch", type=int, default=2)
    r.add_argument("--seq", type=int, default=7)
    c = sub.add_parser("check", help="compare another forward's outputs with PyTorch's")
    c.add_argument("--model", required=True, help="checkpoint folder (config.json, model.safetensors)")
    c.add_argument("--ours", required=True, help="safetensors with the inputs and our outputs")
    c.add_argument("--rtol", type=float, default=1e-5)
    x = sub.add_parser("fixtures", help="write lemon/hf's test fixtures")
    x.add_argument("--out", default="lemon/hf/testdata")
    sub.add_parser("selftest", help="check this script")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "random":
            torch.set_num_threads(1)
            make_random(a.arch, a.out, a.dtype, a.seed, a.size, a.classes, a.batch, a.seq)
            print(f"wrote {a.arch} ({a.size}, {a.dtype}, seed {a.seed}) to {a.out}")
            return 0
        if a.cmd == "check":
            ok = check(a.model, a.ours, a.rtol)
            if not ok:
                print("FAIL", file=sys.stderr)
            return 0 if ok else 1
        if a.cmd == "fixtures":
            torch.set_num_threads(1)
            make_fixtures(a.out)
            print(f"wrote {len(FIXTURES)} fixtures to {a.out}")
            return 0
        return selftest()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
