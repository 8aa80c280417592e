package arch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Every model family plugs in here: its own package implements FamilyConfig and registers a
// Family (one arch.Register call): vit, bert, gpt2, llama and toy under lemon/arch. Config
// then holds its config (Config.Other),
// reads and writes it as {"kind": <kind>, "<kind>": {…}}, and every package that works on
// configs (expansion, verification, checkpoints) reaches it through these methods. Its
// variables outside the encoder blocks live under its own scope and declare their axis roles
// in Family.Roles; the blocks are the shared encoder's (Encode). Package lemon/arch/toy is
// a complete example, tested end to end.

// FamilyConfig is one registered family's config.
type FamilyConfig interface {
	Enc() Encoder                     // the shared encoder's sizes
	WithEncoder(Encoder) FamilyConfig // a copy with another encoder (what expansion changes)
	Validate() error                  // the family's own checks (the encoder's included)
	Vars() []VarSpec                  // every variable, in model order
	ParamsFloat() float64             // the parameter count from the sizes alone
	Heads() ([]Head, error)           // its outputs, for verification
	HeadInputs(Inputs) ([]any, error) // what of an Inputs the heads read, in order
	RandomInputs(batch int, seed uint64) Inputs
	ExampleTrainFLOPs() (float64, string) // training FLOPs of one example, and what it is
}

// Family registers a model family.
type Family struct {
	Kind  Kind
	Scope string // the store scope of its variables outside the encoder blocks, e.g. "toy"
	// Roles are the axis roles of those variables, keyed on their path without the leaf
	// (e.g. "toy/head" for "toy/head/weights"), or on the full path of a variable without
	// leaves.
	Roles map[string]AxisRoles
	// Decode reads the family's section of a config (unknown fields are errors).
	Decode func(raw json.RawMessage) (FamilyConfig, error)
	// Presets are named configs that arch.Preset finds (optional; names must not clash).
	Presets map[string]FamilyConfig
}

var (
	familiesMu sync.RWMutex
	families   = map[Kind]Family{}
)

// Register adds a family. It refuses an empty or taken kind or scope, the encoder's scope, a
// preset name another family has, a role key outside the family's scope, and a missing
// decoder.
func Register(f Family) error {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	switch {
	case f.Kind == "" || f.Scope == "" || f.Decode == nil:
		return fmt.Errorf("arch.Register: a family needs a kind, a scope and a decoder")
	case f.Scope == ScopeEncoder || strings.Contains(f.Scope, "/"):
		return fmt.Errorf("arch.Register: scope %q is taken or not one path element", f.Scope)
	}
	for k, g := range families {
		if k == f.Kind || g.Scope == f.Scope {
			return fmt.Errorf("arch.Register: kind %q or scope %q is taken by %q", f.Kind, f.Scope, k)
		}
	}
	for name := range f.Presets {
		for k, g := range families {
			if _, ok := g.Presets[name]; ok {
				return fmt.Errorf("arch.Register: %s: preset %q is taken by %q", f.Kind, name, k)
			}
		}
	}
	for key := range f.Roles {
		if !strings.HasPrefix(key, f.Scope+"/") {
			return fmt.Errorf("arch.Register: %s: role key %q is outside its scope %q", f.Kind, key, f.Scope)
		}
	}
	families[f.Kind] = f
	return nil
}

// MustRegister is Register that panics, for a family's init function.
func MustRegister(f Family) {
	if err := Register(f); err != nil {
		panic(err)
	}
}

// Kinds lists the registered model kinds in name order (a family is registered when its
// package is linked into the program).
func Kinds() []Kind {
	familiesMu.RLock()
	defer familiesMu.RUnlock()
	var names []string
	for k := range families {
		names = append(names, string(k))
	}
	sort.Strings(names)
	out := make([]Kind, len(names))
	for i, k := range names {
		out[i] = Kind(k)
	}
	return out
}

func family(k Kind) (Family, bool) {
	familiesMu.RLock()
	defer familiesMu.RUnlock()
	f, ok := families[k]
	return f, ok
}

// familyRoles looks a path up in the registered families' role tables.
func familyRoles(key string) (AxisRoles, bool) {
	familiesMu.RLock()
	defer familiesMu.RUnlock()
	for _, f := range families {
		if r, ok := f.Roles[key]; ok {
			return r, true
		}
	}
	return AxisRoles{}, false
}

// familyScopes are the registered families' scopes.
func familyScopes() []string {
	familiesMu.RLock()
	defer familiesMu.RUnlock()
	var out []string
	for _, f := range families {
		out = append(out, f.Scope)
	}
	return out
}

// MarshalJSON writes {"kind": k, "<k>": its config}, "kind" first ({"kind": k} alone when c
// holds none).
func (c Config) MarshalJSON() ([]byte, error) {
	kind, err := json.Marshal(c.Kind)
	if err != nil || c.Other == nil {
		return append(append([]byte(`{"kind":`), kind...), '}'), err
	}
	name, _ := json.Marshal(string(c.Kind))
	body, err := json.Marshal(c.Other)
	if err != nil {
		return nil, err
	}
	out := append([]byte(`{"kind":`), kind...)
	out = append(append(append(out, ','), name...), ':')
	return append(append(out, body...), '}'), nil
}

// UnmarshalJSON reads what MarshalJSON writes; unknown fields are errors.
func (c *Config) UnmarshalJSON(data []byte) error {
	var head struct {
		Kind Kind `json:"kind"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	if f, ok := family(head.Kind); ok {
		var sections map[string]json.RawMessage
		if err := json.Unmarshal(data, &sections); err != nil {
			return err
		}
		for name := range sections {
			if name != "kind" && name != string(head.Kind) {
				return fmt.Errorf("json: unknown field %q (a %s config has \"kind\" and %q)", name, head.Kind, head.Kind)
			}
		}
		raw, ok := sections[string(head.Kind)]
		if !ok {
			return fmt.Errorf("a %s config needs a %q section", head.Kind, head.Kind)
		}
		other, err := f.Decode(raw)
		if err != nil {
			return fmt.Errorf("%s config: %w", head.Kind, err)
		}
		*c = Config{Kind: head.Kind, Other: other}
		return nil
	}
	return fmt.Errorf("unknown model kind %q (registered: %v; a family's package must be linked in to read its configs)", head.Kind, Kinds())
}

// DecodeAs is a family's Decode for a config type C decoded strictly (unknown fields are
// errors): Family{…, Decode: arch.DecodeAs[Config]}.
func DecodeAs[C FamilyConfig](raw json.RawMessage) (FamilyConfig, error) {
	var c C
	if err := DecodeStrict(raw, &c); err != nil {
		return nil, err
	}
	return c, nil
}

// DecodeStrict decodes raw into v, refusing unknown fields: for a family's Decode.
func DecodeStrict(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Family returns the FamilyConfig of whichever model c holds (nil when it holds none).
func (c Config) Family() FamilyConfig { return c.family() }

// WidthLimit is a part of a model that an expansion to a width that is not a multiple of the
// source's cannot keep lossless: why, and what to do instead of a divisible width.
type WidthLimit struct {
	Reason      string // e.g. "the MLM transform (dense+GELU+LN) … GELU of the residue mean is not the mean of GELU"
	Alternative string // e.g. "a source without the transform"
}

// WidthLimited is implemented by families with such parts (optional: most have none).
type WidthLimited interface {
	IndivisibleWidthLimits(norm NormPlacement) []WidthLimit
}

// TiedDecoder is implemented by families with an output decoder tied to an input embedding,
// whose input expansion scales by 1/k (optional): present, and whether it reads the top
// representation (what the heads read) directly rather than through a layer of its own.
type TiedDecoder interface {
	TiedDecoder() (present, readsTop bool)
}

// Classifier is implemented by families that classify fixed-size float examples, so that
// the runner can train them (runner.NewClassifierTask): the shape of one example as the first
// head reads it (without the batch axis) and the number of classes.
type Classifier interface {
	ExampleShape() []int
	NumClasses() int
}

// ImageClassifier is implemented by families that classify square images (ViT), so that the
// runner can train them (runner.NewImageTask) and verification can read real images
// (expand.ImageInputs): their first head reads images [B, S, S, C] in the model's dtype and
// returns class logits [B, classes].
type ImageClassifier interface {
	ImageInput() (size, channels, classes int)
	ImageTokens() int      // the sequence one image becomes (patches and CLS)
	ForwardFLOPs() float64 // forward cost of classifying one image
}

// MaskedLM is implemented by masked-language-model families (BERT), so that the runner can
// train them (runner.NewMLMTask) and verification can read real text (expand.SequenceInputs).
type MaskedLM interface {
	MaskedLM() (vocab, maxPositions int)
	// MaskedLMLogits are the logits [B, M, V] at positions [B, M] of tokens and segments
	// [B, T] (int32).
	MaskedLMLogits(scope *model.Scope, tokens, segments, positions *graph.Node) *graph.Node
	MLMForwardFLOPs(tokens, masked int) float64 // forward cost of one sequence with masked predictions
}

// Vocabulary is implemented by families whose vocabulary the data fixes (a corpus's compact
// vocabulary replaces a CPU preset's placeholder): a copy with another vocabulary size.
type Vocabulary interface {
	WithVocab(size int) FamilyConfig
}

// CausalLM is implemented by next-token (decoder) families, so that the runner can train them
// (runner.NewCausalLMTask): their first head reads token ids [B, T] and returns logits
// [B, T, V] at every position, each from the tokens at and before it.
type CausalLM interface {
	CausalLM() (vocab, maxPositions int)
	ForwardFLOPs(tokens int) float64 // forward cost of one sequence of that many tokens
}

// familyPreset finds a registered family's preset.
func familyPreset(name string) (Config, bool) {
	familiesMu.RLock()
	defer familiesMu.RUnlock()
	for k, f := range families {
		if c, ok := f.Presets[name]; ok {
			return Config{Kind: k, Other: c}, true
		}
	}
	return Config{}, false
}

// familyPresetNames are the registered families' preset names, sorted.
func familyPresetNames() []string {
	familiesMu.RLock()
	defer familiesMu.RUnlock()
	var out []string
	for _, f := range families {
		for name := range f.Presets {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
