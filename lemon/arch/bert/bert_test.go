package bert_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	_ "github.com/golemon/golemon/lemon/arch/vit" // a config of another family
)

// legacy is bert-cpu-2-32's config as checkpoints held it before BERT became a package.
const legacy = `{"kind":"bert","bert":{"layers":2,"width":32,"heads":2,"head_dim":16,"mlp_dim":128,"norm":"pre","layer_norm_eps":1e-12,"dropout":0,"dtype":"float32","vocab_size":8192,"max_positions":64,"type_vocab_size":2,"embedding_ln":false,"mlm_transform":false,"num_classes":0}}`

// TestConfigJSONUnchanged: a BERT config reads and writes byte for byte as before, and the
// typed config is reached through Of and From (which name the kind they got instead).
func TestConfigJSONUnchanged(t *testing.T) {
	cfg, err := bert.Preset("bert-cpu-2-32")
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
	if c, ok := bert.Of(back); !ok || c.VocabSize != 8192 || c.Encoder.Heads != 2 {
		t.Errorf("Of: %v %+v", ok, c)
	}
	if _, err := arch.ParseConfig([]byte(strings.Replace(legacy, `"vocab_size"`, `"vocab"`, 1))); err == nil || !strings.Contains(err.Error(), "vocab") {
		t.Errorf("an unknown field: %v", err)
	}
	other, err := arch.Preset("vit-cpu-2-32")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := bert.Of(other); ok {
		t.Error("Of accepted a ViT config")
	}
	if _, err := bert.From(other); err == nil || !strings.Contains(err.Error(), `"vit"`) {
		t.Errorf("From of a ViT config: %v", err)
	}
}
