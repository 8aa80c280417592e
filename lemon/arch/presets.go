package arch

import (
	"fmt"
	"sort"
	"strings"
)

// Paper-sized presets (LEMON, §5): heads of dim 64, MLP ×4, ViT at 224 px with 16-px patches
// and 1000 classes, BERT with the 30,522-token uncased vocabulary. CPU presets are the same
// architecture at sizes that train in minutes on two cores (28-px images, compact vocabularies).

func vit(layers, width, heads, img, ch, patch, classes int) ViTConfig {
	return ViTConfig{
		Encoder: Encoder{Layers: layers, Width: width, Heads: heads, HeadDim: width / heads,
			MLPDim: 4 * width, Norm: PreLN, LayerNormEps: 1e-6, DType: "float32"},
		ImageSize: img, Channels: ch, PatchSize: patch, NumClasses: classes,
	}
}

func bert(layers, width, heads, vocab, maxPos int, norm NormPlacement) BERTConfig {
	return BERTConfig{
		Encoder: Encoder{Layers: layers, Width: width, Heads: heads, HeadDim: width / heads,
			MLPDim: 4 * width, Norm: norm, LayerNormEps: 1e-12, DType: "float32"},
		VocabSize: vocab, MaxPositions: maxPos, TypeVocabSize: 2,
		EmbeddingLN: norm == PostLN, MLMTransform: true,
	}
}

var vitPresets = map[string]ViTConfig{
	"vit-6-384":  vit(6, 384, 6, 224, 3, 16, 1000),
	"vit-6-512":  vit(6, 512, 8, 224, 3, 16, 1000),
	"vit-12-768": vit(12, 768, 12, 224, 3, 16, 1000),
	// CPU presets: 28×28 grey images (MNIST, Fashion-MNIST), 7×7 patches → 16 tokens + CLS.
	"vit-cpu-2-64":  vit(2, 64, 4, 28, 1, 7, 10),
	"vit-cpu-4-128": vit(4, 128, 4, 28, 1, 7, 10),
	"vit-cpu-3-96":  vit(3, 96, 4, 28, 1, 7, 10),
	// The CPU study pair (examples/paper): heads of dim 16 throughout, so that 2→4 blocks and
	// 32→64 width double the heads as the paper's 6→12, 384→768 does.
	"vit-cpu-2-32": vit(2, 32, 2, 28, 1, 7, 10),
	"vit-cpu-4-64": vit(4, 64, 4, 28, 1, 7, 10),
}

var bertPresets = map[string]BERTConfig{
	"bert-6-384":   bert(6, 384, 6, 30522, 512, PreLN),
	"bert-12-768":  bert(12, 768, 12, 30522, 512, PreLN),
	"bert-24-1024": bert(24, 1024, 16, 30522, 512, PreLN),
	// The original Post-LN BERT-base (embedding LN, MLM transform), for parameter counts.
	"bert-base-postln": bert(12, 768, 12, 30522, 512, PostLN),
	// CPU presets: the vocabulary size is a placeholder, replaced by the compact
	// corpus vocabulary at training time (see data.Vocab.Restrict).
	"bert-cpu-2-64":  bertCPU(2, 64, 4, 64),
	"bert-cpu-4-128": bertCPU(4, 128, 4, 64),
	// The CPU study pair (examples/paper), heads of dim 16 as for ViT.
	"bert-cpu-2-32": bertCPU(2, 32, 2, 64),
	"bert-cpu-4-64": bertCPU(4, 64, 4, 64),
}

// bertCPU is a Pre-LN BERT without the MLM transform, so that it stays lossless under
// indivisible width expansion (docs/method.md#mlm-transform-and-embedding-layernorm).
func bertCPU(layers, width, heads, maxPos int) BERTConfig {
	c := bert(layers, width, heads, 8192, maxPos, PreLN)
	c.MLMTransform = false
	return c
}

// ViTPreset returns the named ViT preset.
func ViTPreset(name string) (ViTConfig, error) {
	c, ok := vitPresets[name]
	if !ok {
		return ViTConfig{}, fmt.Errorf("unknown ViT preset %q; known: %s", name, strings.Join(ViTPresetNames(), ", "))
	}
	return c, nil
}

// BERTPreset returns the named BERT preset.
func BERTPreset(name string) (BERTConfig, error) {
	c, ok := bertPresets[name]
	if !ok {
		return BERTConfig{}, fmt.Errorf("unknown BERT preset %q; known: %s", name, strings.Join(BERTPresetNames(), ", "))
	}
	return c, nil
}

// Preset returns the named preset of either family as a Config.
func Preset(name string) (Config, error) {
	if v, ok := vitPresets[name]; ok {
		return Config{Kind: KindViT, ViT: &v}, nil
	}
	if b, ok := bertPresets[name]; ok {
		return Config{Kind: KindBERT, BERT: &b}, nil
	}
	if c, ok := familyPreset(name); ok {
		return c, nil
	}
	return Config{}, fmt.Errorf("unknown preset %q; known: %s", name, strings.Join(PresetNames(), ", "))
}

// PresetNames lists every preset Preset knows: ViT's, BERT's, then the registered families'.
func PresetNames() []string {
	return append(append(ViTPresetNames(), BERTPresetNames()...), familyPresetNames()...)
}

// ViTPresetNames lists the ViT presets in sorted order.
func ViTPresetNames() []string { return sortedKeys(vitPresets) }

// BERTPresetNames lists the BERT presets in sorted order.
func BERTPresetNames() []string { return sortedKeys(bertPresets) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
