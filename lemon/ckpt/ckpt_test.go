package ckpt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/gomlx/gomlx/core/tensors"
)

func tinyConfig() arch.Config {
	c := vit.Config{Encoder: arch.Encoder{Layers: 1, Width: 8, Heads: 2, HeadDim: 4, MLPDim: 16,
		Norm: arch.PreLN, LayerNormEps: 1e-6, DType: "float32"}, ImageSize: 8, Channels: 1, PatchSize: 4, NumClasses: 3}
	return vit.New(c)
}

func saved(t testing.TB) (string, arch.Config) {
	cfg := tinyConfig()
	store, err := arch.Init(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "ckpt")
	if err := Save(dir, arch.Model{Config: cfg, Store: store}, map[string]int{"step": 7}); err != nil {
		t.Fatal(err)
	}
	return dir, cfg
}

func TestRoundTrip(t *testing.T) {
	dir, cfg := saved(t)
	want, _ := arch.Init(cfg, 1)
	ld2, err := Load(dir)
	got, store := ld2.Config, ld2.Store
	if err != nil {
		t.Fatal(err)
	}
	if !arch.SameConfig(got, cfg) {
		t.Errorf("config %s, want %s", got.Describe(), cfg.Describe())
	}
	for _, spec := range cfg.Vars() {
		a := tensors.MustCopyFlatData[float32](store.GetVariable("/" + spec.Path).MustValue())
		b := tensors.MustCopyFlatData[float32](want.GetVariable("/" + spec.Path).MustValue())
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s[%d] = %g after the round trip, want %g", spec.Path, i, a[i], b[i])
			}
		}
	}
	var meta map[string]int
	if err := ReadMeta(dir, &meta); err != nil || meta["step"] != 7 {
		t.Errorf("meta = %v, %v", meta, err)
	}
	// Saving again replaces the checkpoint and leaves no temporary directories behind.
	if err := Save(dir, arch.Model{Config: cfg, Store: store}, nil); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("after two saves the parent holds %d entries, want only the checkpoint", len(entries))
	}
}

// TestBadCheckpointsGiveErrors: every broken file yields an error naming the problem, never a panic.
func TestBadCheckpointsGiveErrors(t *testing.T) {
	cases := map[string]struct {
		breakIt func(t *testing.T, dir string)
		want    string
	}{
		"missing dir": {func(t *testing.T, dir string) { os.RemoveAll(dir) }, "config.json"},
		"bad config":  {func(t *testing.T, dir string) { write(t, dir, ConfigFile, `{"kind":"vit","vit":{"layers":-1}}`) }, "vit.layers"},
		"config mismatch": {func(t *testing.T, dir string) {
			v, _ := vit.Of(tinyConfig())
			v.Width = 16
			c := vit.New(v)
			blob, _ := c.MarshalIndent()
			write(t, dir, ConfigFile, string(blob))
		}, "vit/patch_embed/weights"},
		"truncated weights": {func(t *testing.T, dir string) { truncateWeights(t, dir) }, "reading weights"},
		"no weights":        {func(t *testing.T, dir string) { os.RemoveAll(filepath.Join(dir, WeightsDir)) }, "missing weights"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir, _ := saved(t)
			c.breakIt(t, dir)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load: got error %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

func write(t *testing.T, dir, name, content string) {
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func truncateWeights(t *testing.T, dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, WeightsDir, "*.bin"))
	if len(matches) == 0 {
		t.Fatal("no .bin file in the checkpoint")
	}
	info, _ := os.Stat(matches[0])
	if err := os.Truncate(matches[0], info.Size()/2); err != nil {
		t.Fatal(err)
	}
}
