package arch_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	. "github.com/golemon/golemon/lemon/arch" //nolint:revive
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/vit"
)

// closedForm counts parameters from the formula, independently of Vars():
// per block 4D (two LNs) + 3(D·HK + HK) + (HK·D + D) + (D·F + F) + (F·D + D).
func closedForm(e Encoder) int {
	d, hk, f := e.Width, e.Heads*e.HeadDim, e.MLPDim
	n := e.Layers * (4*d + 3*(d*hk+hk) + hk*d + d + d*f + f + f*d + d)
	if e.Norm == PreLN {
		n += 2 * d
	}
	return n
}

func TestParamCountsClosedForm(t *testing.T) {
	for _, name := range vit.PresetNames() {
		c, _ := vit.PresetConfig(name)
		n := c.NumPatches()
		want := closedForm(c.Encoder) + c.PatchDim()*c.Width + c.Width + c.Width + (n+1)*c.Width + c.Width*c.NumClasses + c.NumClasses
		if got := (vit.New(c)).NumParams(); got != want {
			t.Errorf("%s: %d parameters, closed form %d", name, got, want)
		}
	}
	for _, name := range bert.PresetNames() {
		c, _ := bert.PresetConfig(name)
		d := c.Width
		want := closedForm(c.Encoder) + (c.VocabSize+c.MaxPositions+c.TypeVocabSize)*d + c.VocabSize
		if c.EmbeddingLN {
			want += 2 * d
		}
		if c.MLMTransform {
			want += d*d + d + 2*d
		}
		if got := (bert.New(c)).NumParams(); got != want {
			t.Errorf("%s: %d parameters, closed form %d", name, got, want)
		}
	}
}

// TestParamCountsPublished checks against counts published for the reference models.
func TestParamCountsPublished(t *testing.T) {
	// ViT-B/16 at 224 px, 1000 classes: 86,567,656 (timm vit_base_patch16_224, "86.6 M").
	vitB, _ := Preset("vit-12-768")
	if got := vitB.NumParams(); got != 86_567_656 {
		t.Errorf("ViT-B/16: %d parameters, want 86,567,656", got)
	}
	// BERT-base uncased: BertModel (embeddings, encoder, pooler) has 109,482,240 ("110 M").
	// Our MLM-only preset has no pooler but the MLM transform, LN and decoder bias instead.
	bertBase, _ := bert.PresetConfig("bert-base-postln")
	d := bertBase.Width
	pooler := d*d + d
	mlmHead := d*d + d + 2*d + bertBase.VocabSize
	if got := (bert.New(bertBase)).NumParams(); got != 109_482_240-pooler+mlmHead {
		t.Errorf("BERT-base: %d parameters, want 109,482,240 − pooler %d + MLM head %d", got, pooler, mlmHead)
	}
}

func TestPresetsValidateAndRoundTrip(t *testing.T) {
	for _, name := range append(vit.PresetNames(), bert.PresetNames()...) {
		c, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		blob, err := c.MarshalIndent()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back, err := ParseConfig(blob)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, blob)
		}
		if !reflect.DeepEqual(c, back) {
			t.Errorf("%s: JSON round trip changed the config:\n%+v\n%+v", name, c, back)
		}
	}
}

func TestValidateNamesEveryBadField(t *testing.T) {
	c, _ := vit.PresetConfig("vit-cpu-2-64")
	c.Width, c.LayerNormEps, c.PatchSize, c.DType = 0, 0, 5, "int8"
	err := c.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, field := range []string{"vit.width", "vit.layer_norm_eps", "vit.image_size 28 must be a multiple of vit.patch_size 5", "vit.dtype"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error %q does not name %q", err, field)
		}
	}
	if _, err := ParseConfig([]byte(`{"kind":"vit","vit":{"layers":1,"widht":3}}`)); err == nil || !strings.Contains(err.Error(), "widht") {
		t.Errorf("unknown field not reported: %v", err)
	}
	if _, err := ParseConfig([]byte(`{"kind":"bert","vit":{}}`)); err == nil {
		t.Error("a bert kind with a vit section was accepted")
	}
	var n NormPlacement
	if err := json.Unmarshal([]byte(`"sandwich"`), &n); err == nil {
		t.Error("unknown norm placement accepted")
	}
}

func TestBlockPaths(t *testing.T) {
	if got := InBlock(7, Query, Weights); got != "encoder/block_007/attn/query/weights" {
		t.Errorf("InBlock = %q", got)
	}
	for _, p := range []string{"/encoder/block_000/ln1/gain", "/vit/cls_token", "/bert/mlm/decoder_bias"} {
		if !IsModelPath(p) {
			t.Errorf("IsModelPath(%q) = false", p)
		}
	}
	for _, p := range []string{"/adamw/m/encoder/x", "/global_step", "/encoderx/y"} {
		if IsModelPath(p) {
			t.Errorf("IsModelPath(%q) = true", p)
		}
	}
}

// TestFLOPsHandCount checks the formula against a count done by hand for vit-cpu-2-64
// (N = 16 patches of 49 pixels, T = 17, D = 64, HK = 64, F = 256, L = 2, 10 classes):
//
//	patch embedding 2·16·49·64                          =   100,352
//	per layer: Q,K,V 2·17·64·192 = 417,792; scores and weighted values 4·17²·64 = 73,984;
//	           output 2·17·64·64 = 139,264; MLP 4·17·64·256 = 1,114,112   → 1,745,152 × 2 = 3,490,304
//	head 2·64·10                                        =     1,280
//	total                                               = 3,591,936
func TestFLOPsHandCount(t *testing.T) {
	c, _ := vit.PresetConfig("vit-cpu-2-64")
	if got := c.ForwardFLOPs(); got != 3_591_936 {
		t.Errorf("ForwardFLOPs = %.0f, hand count 3,591,936", got)
	}
	// BERT, 2 layers, D = 64, HK = 64, F = 256, T = 8, M = 2, V = 100, no transform:
	// per layer 2·8·64·192 + 4·64·64 + 2·8·64·64 + 4·8·64·256 = 196,608+16,384+65,536+524,288 = 802,816;
	// × 2 = 1,605,632; decoder 2·2·64·100 = 25,600; total 1,631,232.
	b, _ := bert.PresetConfig("bert-cpu-2-64")
	b.VocabSize = 100
	if got := b.MLMForwardFLOPs(8, 2); got != 1_631_232 {
		t.Errorf("MLMForwardFLOPs = %.0f, hand count 1,631,232", got)
	}
}

// TestParamsFloatEqualsNumParams: the overflow-free count equals the exact one on every preset.
func TestParamsFloatEqualsNumParams(t *testing.T) {
	for _, name := range append(vit.PresetNames(), bert.PresetNames()...) {
		cfg, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.ParamsFloat(), float64(cfg.NumParams()); got != want {
			t.Errorf("%s: ParamsFloat %.0f, NumParams %.0f", name, got, want)
		}
		if b, ok := bert.Of(cfg); ok { // with the pooler and classifier too
			b.NumClasses = 3
			c := bert.New(b)
			if got, want := c.ParamsFloat(), float64(c.NumParams()); got != want {
				t.Errorf("%s with 3 classes: ParamsFloat %.0f, NumParams %.0f", name, got, want)
			}
		}
	}
}

func TestExampleTrainFLOPs(t *testing.T) {
	v, err := Preset("vit-cpu-2-32")
	if err != nil {
		t.Fatal(err)
	}
	if f, per := v.ExampleTrainFLOPs(); per != "image" || f != TrainFLOPs(mustOf(t, vit.Of, v).ForwardFLOPs()) {
		t.Errorf("ViT: %g per %s", f, per)
	}
	b, err := Preset("bert-12-768")
	if err != nil {
		t.Fatal(err)
	}
	if f, per := b.ExampleTrainFLOPs(); per != "sequence of 128" || f != TrainFLOPs(mustOf(t, bert.Of, b).MLMForwardFLOPs(128, 20)) {
		t.Errorf("BERT: %g per %s", f, per)
	}
	if f, per := (Config{}).ExampleTrainFLOPs(); f != 0 || per != "no model" {
		t.Errorf("empty config: %g per %s", f, per)
	}
}

// TestEveryVariableHasRoles: every variable of every preset (and of the optional BERT parts)
// has axis roles, linear maps an input role, LayerNorms the Norm flag, the writers into the
// residual stream the Writer flag; a path outside the naming scheme is an error naming it.
func TestEveryVariableHasRoles(t *testing.T) {
	var cfgs []Config
	for _, name := range append(vit.PresetNames(), bert.PresetNames()...) {
		c, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		cfgs = append(cfgs, c)
	}
	b := mustOf(t, bert.Of, cfgs[len(cfgs)-1])
	b.MLMTransform, b.EmbeddingLN, b.NumClasses = true, true, 2
	cfgs = append(cfgs, bert.New(b))
	writers := 0
	for _, c := range cfgs {
		for _, v := range c.Vars() {
			ref, r, err := ParseVar(v.Path)
			if err != nil {
				t.Fatalf("%s: %v", v.Path, err)
			}
			if ref.Path(max(ref.Block, 0)) != v.Path {
				t.Errorf("%s: rebuilt as %s", v.Path, ref.Path(max(ref.Block, 0)))
			}
			if len(v.Shape) == 2 && r.In == RoleNone || r.Out == RoleNone {
				t.Errorf("%s %v: roles %+v", v.Path, v.Shape, r)
			}
			if r.Norm != (ref.Leaf == Gain || ref.Leaf == Offset) {
				t.Errorf("%s: Norm %v", v.Path, r.Norm)
			}
			if r.Writer {
				writers++
			}
		}
	}
	if writers == 0 {
		t.Error("no writer into the residual stream")
	}
	for _, bad := range []string{"encoder/block_001/attn/bogus/weights", "vit/nothing", "encoder/block_x/mlp/fc1/weights"} {
		if _, _, err := ParseVar(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseVar(%q): %v", bad, err)
		}
	}
}

// TestRegisterRefuses: families that would clash with another (vit and bert are registered
// like any other) or with the encoder.
func TestRegisterRefuses(t *testing.T) {
	decode := func(json.RawMessage) (FamilyConfig, error) { return nil, nil }
	for name, f := range map[string]Family{
		"taken kind":        {Kind: vit.Kind, Scope: "x1", Decode: decode},
		"built-in scope":    {Kind: "x2", Scope: ScopeEncoder, Decode: decode},
		"no decoder":        {Kind: "x3", Scope: "x3"},
		"role out of scope": {Kind: "x4", Scope: "x4", Decode: decode, Roles: map[string]AxisRoles{"vit/head": {}}},
		"taken preset":      {Kind: "x7", Scope: "x7", Decode: decode, Presets: map[string]FamilyConfig{"vit-cpu-2-32": nil}},
	} {
		if err := Register(f); err == nil {
			t.Errorf("%s: registered", name)
		}
	}
	if err := Register(Family{Kind: "x5", Scope: "x5", Decode: decode}); err != nil {
		t.Fatal(err)
	}
	if err := Register(Family{Kind: "x6", Scope: "x5", Decode: decode}); err == nil || !strings.Contains(err.Error(), "taken") {
		t.Errorf("a taken scope: %v", err)
	}
	if err := Register(Family{Kind: "x8", Scope: "x8", Decode: decode, Presets: map[string]FamilyConfig{"x8-tiny": vit.Config{}}}); err != nil {
		t.Fatal(err)
	}
	if err := Register(Family{Kind: "x9", Scope: "x9", Decode: decode, Presets: map[string]FamilyConfig{"x8-tiny": nil}}); err == nil || !strings.Contains(err.Error(), "taken by \"x8\"") {
		t.Errorf("a taken preset name: %v", err)
	}
	if c, err := Preset("x8-tiny"); err != nil || c.Kind != "x8" || !slices.Contains(PresetNames(), "x8-tiny") {
		t.Errorf("a registered preset: %v, %v", c.Kind, err)
	}
	if !slices.Contains(Kinds(), Kind("x5")) {
		t.Errorf("Kinds() = %v lacks x5", Kinds())
	}
}

// mustOf unwraps a family's config from cfg (vit.Of, bert.Of, …) or fails the test.
func mustOf[C any](t *testing.T, of func(Config) (C, bool), cfg Config) C {
	t.Helper()
	c, ok := of(cfg)
	if !ok {
		t.Fatalf("config of kind %q is not the family asked for", cfg.Kind)
	}
	return c
}
