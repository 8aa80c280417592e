package arch

import (
	"fmt"
	"strings"
)

// Preset returns the named preset of any registered family (vit-…, bert-…, gpt2-…, llama-…)
// as a Config. A family's presets are found once its package is linked in.
func Preset(name string) (Config, error) {
	if c, ok := familyPreset(name); ok {
		return c, nil
	}
	return Config{}, fmt.Errorf("unknown preset %q; known: %s", name, strings.Join(PresetNames(), ", "))
}

// PresetNames lists every preset Preset knows, sorted.
func PresetNames() []string { return familyPresetNames() }
