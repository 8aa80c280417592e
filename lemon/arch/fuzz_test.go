package arch_test

import (
	"reflect"
	"testing"

	. "github.com/golemon/golemon/lemon/arch" //nolint:revive
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/vit"
)

// FuzzParseConfig: no config JSON makes ParseConfig panic; one it accepts is valid and
// round-trips through MarshalIndent unchanged. Its seeds (every preset) run with go test.
func FuzzParseConfig(f *testing.F) {
	for _, name := range append(vit.PresetNames(), bert.PresetNames()...) {
		cfg, _ := Preset(name)
		b, err := cfg.MarshalIndent()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"kind": "vit", "vit": {"layers": -1}}`))
	f.Add([]byte(`{"kind": "bert"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data)
		if err != nil {
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("accepted an invalid config: %v", err)
		}
		b, err := cfg.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseConfig(b)
		if err != nil || !reflect.DeepEqual(again, cfg) {
			t.Fatalf("round trip changed the config (err %v)", err)
		}
	})
}
