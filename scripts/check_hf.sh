#!/usr/bin/env bash
# The PyTorch check of the Hugging Face import and export (issue 12), end to end:
#   1. scripts/hf_torch.py selftest (its safetensors reader/writer, strict loading, negative
#      controls: a perturbed weight and a renamed key must fail);
#   2. the committed fixtures of lemon/hf/testdata are what `hf_torch.py fixtures` writes
#      (config.json and model.safetensors byte for byte);
#   3. a MiniLM-L6-shaped BertForMaskedLM (22.7 M parameters) written by PyTorch, expanded with
#      LEMON to BERT-base's shape (109.5 M) by examples/expand, exported, and both checked in
#      PyTorch by examples/hfcheck (max |Δ logits| relative ≤ 1e-5, float32);
#   4. the same for a ViTForImageClassification and a timm ViT (exported as transformers' ViT);
#   5. GPT2LMHeadModel and LlamaForCausalLM exports of random decoders and their LEMON
#      expansions (go test ./lemon/hf -run TestDecodersAgainstPyTorch), float32 and float64.
# Needs Debian's python3-torch: installed with apt-get when no Python imports torch, unless
# HF_NO_INSTALL=1. Usage: scripts/check_hf.sh [work folder]
set -euo pipefail
cd "$(dirname "$0")/.."
export GOEXPERIMENT=simd GODEBUG=cpu.fma=off
find_torch() {
  PY=""
  for p in /usr/bin/python3 python3; do
    if "$p" -c 'import torch' 2>/dev/null; then PY=$p; return; fi
  done
}
find_torch
if [[ -z $PY && ${HF_NO_INSTALL:-0} != 1 ]]; then
  sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  # libopenblas0-pthread: Debian's torch loads OpenBLAS, which --no-install-recommends leaves out.
  pkgs=(python3-torch libopenblas0-pthread)
  echo "check_hf: installing ${pkgs[*]} (Debian)"
  "${sudo[@]}" apt-get install -y --no-install-recommends "${pkgs[@]}" >/dev/null ||
    { "${sudo[@]}" apt-get update >/dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends "${pkgs[@]}" >/dev/null; }
  find_torch
fi
[[ -n $PY ]] || { echo "check_hf: no Python with torch (apt-get install python3-torch, or unset HF_NO_INSTALL)" >&2; exit 1; }
work="${1:-$(mktemp -d -t golemon-hf.XXXXXX)}"
mkdir -p "$work"
start=$SECONDS
say() { echo "=== $* ($((SECONDS - start))s)"; }

say "selftest"
"$PY" scripts/hf_torch.py selftest

say "fixtures are reproducible"
rm -rf "$work/fixtures"
"$PY" scripts/hf_torch.py fixtures --out "$work/fixtures" >/dev/null
for d in lemon/hf/testdata/*/; do
  name=$(basename "$d")
  for f in config.json model.safetensors; do
    cmp "$d/$f" "$work/fixtures/$name/$f" || { echo "check_hf: $d$f differs from what hf_torch.py fixtures writes" >&2; exit 1; }
  done
done

go build -o "$work/expand" ./examples/expand
go build -o "$work/hfcheck" ./examples/hfcheck

say "MiniLM-shaped BERT (6, 384) → BERT-base shape (12, 768), LEMON, exported and checked in PyTorch"
rm -rf "$work/minilm" "$work/minilm-x2"
"$PY" scripts/hf_torch.py random --arch BertForMaskedLM --size minilm --seed 1 --out "$work/minilm" >/dev/null
"$work/expand" -in "$work/minilm" -to bert-base-postln -out "$work/minilm-x2" | grep -E '^(read|expand|verify|wrote)'
"$work/hfcheck" -in "$work/minilm"
"$work/hfcheck" -in "$work/minilm-x2"

say "ViT (2, 16) → (4, 32) and timm ViT → transformers' ViT (3, 32)"
rm -rf "$work/vit" "$work/vit-x2" "$work/timm-x2"
"$PY" scripts/hf_torch.py random --arch ViTForImageClassification --seed 2 --out "$work/vit" >/dev/null
"$work/expand" -in "$work/vit" -width 32 -heads 4 -headdim 8 -mlp 80 -depth 4 -out "$work/vit-x2" | grep -E '^(read|expand|verify|wrote)'
"$work/hfcheck" -in "$work/vit-x2"
"$work/expand" -in lemon/hf/testdata/timm-vit -width 32 -heads 4 -headdim 8 -depth 3 -out "$work/timm-x2" | grep -E '^(read|expand|verify|wrote)'
"$work/hfcheck" -in "$work/timm-x2"
say "GPT-2 and LLaMA (RMSNorm, SwiGLU, RoPE, grouped-query attention) exported, source and LEMON ×2, checked in PyTorch"
GOLEMON_TORCH_PYTHON="$PY" go test -count=1 -run '^TestDecodersAgainstPyTorch$' -v ./lemon/hf | grep -E ': ok$|caught|^(--- |ok|FAIL)'
say "done"
