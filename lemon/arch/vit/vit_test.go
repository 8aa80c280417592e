package vit_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	_ "github.com/golemon/golemon/lemon/arch/bert" // a config of another family
	"github.com/golemon/golemon/lemon/arch/vit"
)

// legacy is vit-cpu-2-32's config as checkpoints held it before ViT became a package.
const legacy = `{"kind":"vit","vit":{"layers":2,"width":32,"heads":2,"head_dim":16,"mlp_dim":128,"norm":"pre","layer_norm_eps":0.000001,"dropout":0,"dtype":"float32","image_size":28,"channels":1,"patch_size":7,"num_classes":10}}`

// TestConfigJSONUnchanged: a ViT config reads and writes byte for byte as before, and the
// typed config is reached through Of and From (which name the kind they got instead).
func TestConfigJSONUnchanged(t *testing.T) {
	cfg, err := vit.Preset("vit-cpu-2-32")
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(cfg)
	if err != nil || string(got) != legacy {
		t.Fatalf("JSON %s (%v), want %s", got, err, legacy)
	}
	back, err := arch.ParseConfig([]byte(legacy))
	if err != nil || !arch.SameConfig(back, cfg) {
		t.Fatalf("ParseConfig: %v, same %v", err, arch.SameConfig(back, cfg))
	}
	if c, ok := vit.Of(back); !ok || c.PatchSize != 7 || c.Encoder.Heads != 2 {
		t.Errorf("Of: %v %+v", ok, c)
	}
	if _, err := arch.ParseConfig([]byte(strings.Replace(legacy, `"channels"`, `"chanels"`, 1))); err == nil || !strings.Contains(err.Error(), "chanels") {
		t.Errorf("an unknown field: %v", err)
	}
	other, err := arch.Preset("bert-cpu-2-32")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := vit.Of(other); ok {
		t.Error("Of accepted a BERT config")
	}
	if _, err := vit.From(other); err == nil || !strings.Contains(err.Error(), `"bert"`) {
		t.Errorf("From of a BERT config: %v", err)
	}
}
