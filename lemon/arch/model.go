package arch

import (
	"bytes"
	"fmt"

	"github.com/gomlx/gomlx/ml/model"
)

// Model is one model of this library as it travels through load → plan → apply → verify →
// save → train: its config and a store holding its weights (and, in checkpoints of training
// runs, the optimizer's state beside them).
type Model struct {
	Config Config
	Store  *model.Store
}

// New is a freshly initialised model of cfg (see Init).
func New(cfg Config, seed uint64) (Model, error) {
	store, err := Init(cfg, seed)
	if err != nil {
		return Model{}, err
	}
	return Model{Config: cfg, Store: store}, nil
}

// String is the model's one-line description, e.g. "vit L=2 D=32 H=2 d=16 F=128 (pre-LN)".
func (m Model) String() string {
	if m.Config.Kind == "" {
		return "model with no config"
	}
	return m.Config.Describe()
}

// SameConfig reports whether a and b describe the same architecture (their JSON is equal).
func SameConfig(a, b Config) bool {
	ja, erra := a.MarshalIndent()
	jb, errb := b.MarshalIndent()
	return erra == nil && errb == nil && bytes.Equal(ja, jb)
}

// Check verifies that m has a valid config and a store.
func (m Model) Check() error {
	if m.Store == nil {
		return fmt.Errorf("arch: model %s has no weights (nil store)", m)
	}
	return m.Config.Validate()
}
