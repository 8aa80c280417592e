// Package vit is the Vision Transformer classifier (Dosovitskiy et al. 2021): square images cut
// into patches, a learned CLS token and position embedding, the shared encoder (Pre-LN or
// Post-LN) and a linear head on the CLS token's output. It is a registered family
// (arch.Register) like every other: expansion (every method), verification and checkpoints
// reach it through arch.FamilyConfig, its variables declare their axis roles in its Family,
// and arch.Preset finds its presets once the package is linked (import it, or for its side
// effect: _ "github.com/golemon/golemon/lemon/arch/vit").
//
// Its checkpoints read and write {"kind": "vit", "vit": {…}} with the encoder's fields inline,
// exactly as before ViT had its own package.
//
//	cfg, _ := vit.Preset("vit-cpu-2-64")
//	store, _ := arch.Init(cfg, 42)
//	c, _ := vit.Of(cfg)
//	exec := model.MustNewExec(backend, store, func(scope *model.Scope, images *graph.Node) *graph.Node {
//		return c.Logits(scope, images) // [B, 28, 28, 1] → [B, 10]
//	})
//
// Paper: LEMON (Wang et al., ICLR 2024), §5 (ViT-S → ViT-B on ImageNet).
package vit

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Kind is the family's config kind; Scope holds its variables outside the encoder blocks.
//
//	vit/patch_embed/{weights,biases}   [P·P·C, D], [D]  (patch pixels in (row, col, channel) order)
//	vit/cls_token                      [D]
//	vit/pos_embed                      [N+1, D]   (row 0 is the CLS position)
//	vit/head/{weights,biases}          [D, classes], [classes]
const (
	Kind       arch.Kind = "vit"
	Scope                = "vit"
	PatchEmbed           = Scope + "/patch_embed"
	CLSToken             = Scope + "/cls_token"
	PosEmbed             = Scope + "/pos_embed"
	Head                 = Scope + "/head"
)

var _ arch.ImageClassifier = Config{}

func init() {
	arch.MustRegister(arch.Family{
		Kind: Kind, Scope: Scope,
		Roles: map[string]arch.AxisRoles{
			PatchEmbed: {In: arch.RoleFixed, Out: arch.RoleResidual},
			CLSToken:   {Out: arch.RoleResidual},
			PosEmbed:   {In: arch.RoleFixed, Out: arch.RoleResidual},
			Head:       {In: arch.RoleTop, Out: arch.RoleFixed},
		},
		Decode:  arch.DecodeAs[Config],
		Presets: arch.PresetMap(presets),
	})
}

// Config describes a Vision Transformer classifier.
type Config struct {
	arch.Encoder
	ImageSize  int `json:"image_size"` // square images of ImageSize×ImageSize pixels
	Channels   int `json:"channels"`   // C
	PatchSize  int `json:"patch_size"` // P; ImageSize must be a multiple of P
	NumClasses int `json:"num_classes"`
}

// New is an arch.Config holding c.
func New(c Config) arch.Config { return arch.Config{Kind: Kind, Other: c} }

// Of is the ViT config that cfg holds; ok is false when cfg holds another family.
func Of(cfg arch.Config) (c Config, ok bool) {
	c, ok = cfg.Other.(Config)
	return c, ok && cfg.Kind == Kind
}

// Enc is the shared encoder's sizes.
func (c Config) Enc() arch.Encoder { return c.Encoder }

// WithEncoder is c with another encoder (what expansion changes).
func (c Config) WithEncoder(e arch.Encoder) arch.FamilyConfig { c.Encoder = e; return c }

// NumPatches is N = (ImageSize/PatchSize)²; the sequence length is N+1 (CLS).
func (c Config) NumPatches() int { return (c.ImageSize / c.PatchSize) * (c.ImageSize / c.PatchSize) }

// PatchDim is P·P·C, the length of one flattened patch.
func (c Config) PatchDim() int { return c.PatchSize * c.PatchSize * c.Channels }

// Validate returns an error listing every invalid field, or nil.
func (c Config) Validate() error {
	p := c.Encoder.Problems("vit.")
	for _, f := range []struct {
		name string
		v    int
	}{{"image_size", c.ImageSize}, {"channels", c.Channels}, {"patch_size", c.PatchSize}, {"num_classes", c.NumClasses}} {
		if f.v <= 0 {
			p = append(p, fmt.Sprintf("vit.%s must be > 0, got %d", f.name, f.v))
		}
	}
	if c.PatchSize > 0 && c.ImageSize%c.PatchSize != 0 {
		p = append(p, fmt.Sprintf("vit.image_size %d must be a multiple of vit.patch_size %d", c.ImageSize, c.PatchSize))
	}
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("invalid ViT config: %s", strings.Join(p, "; "))
}

// Vars lists the variables of a ViT in model order: patch embedding, CLS token, positions,
// the blocks, the head. (The order fixes what arch.Init draws for each seed.)
func (c Config) Vars() []arch.VarSpec {
	d := c.Width
	vs := arch.LinearVars(PatchEmbed, c.PatchDim(), d)
	vs = append(vs, arch.VarSpec{Path: CLSToken, Shape: []int{d}, Init: arch.InitNormal},
		arch.VarSpec{Path: PosEmbed, Shape: []int{c.NumPatches() + 1, d}, Init: arch.InitNormal})
	vs = append(vs, arch.EncoderVars(c.Encoder)...)
	return append(vs, arch.LinearVars(Head, d, c.NumClasses)...)
}

// ParamsFloat is the parameter count from the sizes alone.
func (c Config) ParamsFloat() float64 {
	d := float64(c.Width)
	return arch.EncoderParamsFloat(c.Encoder) + float64(c.PatchDim())*d + d + d + float64(c.NumPatches()+1)*d +
		d*float64(c.NumClasses) + float64(c.NumClasses)
}

// ForwardFLOPs is the forward cost of classifying one image: patch embedding 2·N·(P²C)·D,
// the encoder over N+1 tokens, and the head 2·D·classes.
func (c Config) ForwardFLOPs() float64 {
	n, d := float64(c.NumPatches()), float64(c.Width)
	return 2*n*float64(c.PatchDim())*d + arch.EncoderForwardFLOPs(c.Encoder, c.NumPatches()+1) + 2*d*float64(c.NumClasses)
}

// ExampleTrainFLOPs is the training cost of one image.
func (c Config) ExampleTrainFLOPs() (float64, string) {
	return arch.TrainFLOPs(c.ForwardFLOPs()), "image"
}

// Patchify cuts square images into flattened patches in (row, column, channel) order:
// images: [B, S, S, C] → [B, N, P·P·C] with N = (S/P)².
func Patchify(images *Node, patch int) *Node {
	dims := images.Shape().Dimensions
	if len(dims) != 4 || dims[1] != dims[2] || dims[1]%patch != 0 {
		exceptions.Panicf("vit: Patchify wants [B, S, S, C] with S a multiple of %d, got %s", patch, images.Shape())
	}
	batch, side, ch := dims[0], dims[1], dims[3]
	n := side / patch
	x := Reshape(images, batch, n, patch, n, patch, ch)
	x = TransposeAllAxes(x, 0, 1, 3, 2, 4, 5) // [B, n, n, P, P, C]
	return Reshape(x, batch, n*n, patch*patch*ch)
}

// Logits builds the ViT forward pass: images [B, S, S, C] → class logits [B, classes].
// Variables must already exist in the scope's store (see arch.Init).
func (c Config) Logits(scope *model.Scope, images *Node) *Node {
	return arch.Linear(scope, c.Encoder, Head, arch.FirstToken(c.Features(scope, images)))
}

// Features returns the encoder output of every token (CLS first): [B, N+1, D].
func (c Config) Features(scope *model.Scope, images *Node) *Node {
	e := c.Encoder
	if dtype := arch.DTypeOf(e); images.DType() != dtype {
		images = ConvertDType(images, dtype)
	}
	batch, d := images.Shape().Dim(0), c.Width
	x := arch.Linear(scope, e, PatchEmbed, Patchify(images, c.PatchSize)) // [B, N, D]
	cls := BroadcastToDims(Reshape(arch.Var(scope, images.Graph(), CLSToken), 1, 1, d), batch, 1, d)
	x = Concatenate([]*Node{cls, x}, 1) // [B, N+1, D]
	x = Add(x, InsertAxes(arch.Var(scope, images.Graph(), PosEmbed), 0))
	x = arch.Dropout(scope, e, x)
	return arch.Encode(scope, e, x, nil)
}

// Heads is the classifier.
func (c Config) Heads() ([]arch.Head, error) {
	return []arch.Head{{Name: "vit", Logits: func(s *model.Scope, in []*Node) *Node { return c.Logits(s, in[0]) }}}, nil
}

// HeadInputs are the images.
func (c Config) HeadInputs(in arch.Inputs) ([]any, error) {
	if in.Images == nil {
		return nil, fmt.Errorf("vit: a ViT reads images; the inputs hold none")
	}
	return []any{in.Images}, nil
}

// RandomInputs are standard-normal pixels.
func (c Config) RandomInputs(batch int, seed uint64) arch.Inputs {
	rng := rand.New(rand.NewPCG(seed, 0x1a7e5))
	pixels := make([]float64, batch*c.ImageSize*c.ImageSize*c.Channels)
	for i := range pixels {
		pixels[i] = rng.NormFloat64()
	}
	return arch.Inputs{Images: arch.NewTensor(arch.DTypeOf(c.Encoder), pixels, []int{batch, c.ImageSize, c.ImageSize, c.Channels})}
}

// Paper-sized presets (LEMON, §5): heads of dim 64, MLP ×4, 224 px with 16-px patches and
// 1000 classes. CPU presets are the same architecture at sizes that train in minutes on two
// cores (28-px images).
func vit(layers, width, heads, img, ch, patch, classes int) Config {
	return Config{
		Encoder: arch.Encoder{Layers: layers, Width: width, Heads: heads, HeadDim: width / heads,
			MLPDim: 4 * width, Norm: arch.PreLN, LayerNormEps: 1e-6, DType: "float32"},
		ImageSize: img, Channels: ch, PatchSize: patch, NumClasses: classes,
	}
}

var presets = map[string]Config{
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

// Preset returns the named preset as an arch.Config.
func Preset(name string) (arch.Config, error) {
	c, err := PresetConfig(name)
	if err != nil {
		return arch.Config{}, err
	}
	return New(c), nil
}

// PresetConfig returns the named preset's ViT config.
func PresetConfig(name string) (Config, error) {
	c, ok := presets[name]
	if !ok {
		return Config{}, fmt.Errorf("unknown ViT preset %q; known: %s", name, strings.Join(PresetNames(), ", "))
	}
	return c, nil
}

// PresetNames lists the presets in sorted order.
func PresetNames() []string { return arch.SortedNames(presets) }

// From is the ViT config that cfg holds, or an error naming the kind it holds instead.
func From(cfg arch.Config) (Config, error) {
	c, ok := Of(cfg)
	if !ok {
		return Config{}, fmt.Errorf("vit: the config holds a %q model, not a ViT", cfg.Kind)
	}
	return c, nil
}

// ImageInput (arch.ImageClassifier): square images of ImageSize pixels and Channels, and the
// number of classes.
func (c Config) ImageInput() (size, channels, classes int) {
	return c.ImageSize, c.Channels, c.NumClasses
}

// ImageTokens (arch.ImageClassifier) is the sequence one image becomes: N patches and CLS.
func (c Config) ImageTokens() int { return c.NumPatches() + 1 }
