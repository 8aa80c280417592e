// Package ckpt reads and writes lemon checkpoints: a directory holding
//
//	config.json   the model's arch.Config (so a checkpoint always says what it is)
//	meta.json     optional run state (step, data position, …) chosen by the caller
//	weights/      a GoMLX checkpoint (JSON + binary) of every variable in the store,
//	              optimizer state included, readable by GoMLX's gomlx_checkpoints tool
//
// Save writes into a temporary sibling directory, syncs it and renames it into place, so a crash
// never leaves a half-written checkpoint; it never replaces a folder that is not a checkpoint.
// Load validates the config and checks that every variable the config implies is present with
// the right shape and dtype, and that no weight is NaN or infinite.
//
//	if err := ckpt.Save("runs/vit/ckpt", m, meta); err != nil { … } // m is an arch.Model
//	m, err := ckpt.Load("runs/vit/ckpt")
package ckpt

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/golemon/golemon/lemon/arch"
	_ "github.com/golemon/golemon/lemon/arch/families" // Load reads a checkpoint of any family this library ships
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gomlx/gomlx/support/exceptions"
)

// File names inside a checkpoint directory.
const (
	ConfigFile = "config.json"
	MetaFile   = "meta.json"
	WeightsDir = "weights"
)

// Save writes m's config, meta (if not nil) and every variable of its store to dir, atomically and
// durably (files and folders are synced before and after the rename). It refuses, before
// writing anything, a dir that exists and is not a checkpoint (see CheckReplace) and weights
// holding NaN or infinities; it replaces a previous checkpoint at dir, which stays at dir.old
// until the new one is in place (Find picks it up after a crash in between).
func Save(dir string, m arch.Model, meta any) error {
	dir = filepath.Clean(dir)
	if err := m.Check(); err != nil {
		return fmt.Errorf("ckpt.Save %s: %w", dir, err)
	}
	cfg, store := m.Config, m.Store
	if err := CheckReplace(dir); err != nil {
		return fmt.Errorf("ckpt.Save: %w", err)
	}
	if err := CheckFinite(cfg, store); err != nil {
		return fmt.Errorf("ckpt.Save %s: %w", dir, err)
	}
	cfgJSON, err := cfg.MarshalIndent()
	if err != nil {
		return fmt.Errorf("ckpt.Save %s: %w", dir, err)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("ckpt.Save %s: %w", dir, err)
	}
	removeStale(dir)
	tmp, err := os.MkdirTemp(parent, filepath.Base(dir)+".tmp-*")
	if err != nil {
		return fmt.Errorf("ckpt.Save %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp) // no-op after a successful rename
	// MkdirTemp makes it 0700; a checkpoint is as readable as any other output.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("ckpt.Save %s: %w", dir, err)
	}
	if err := writeFiles(tmp, cfgJSON, store, meta); err != nil {
		return fmt.Errorf("ckpt.Save %s: %w", dir, err)
	}
	if err := syncTree(tmp); err != nil {
		return fmt.Errorf("ckpt.Save %s: %w", dir, err)
	}
	if err := replaceDir(tmp, dir); err != nil {
		return fmt.Errorf("ckpt.Save %s: %w", dir, err)
	}
	return nil
}

func writeFiles(tmp string, cfgJSON []byte, store *model.Store, meta any) error {
	if err := os.WriteFile(filepath.Join(tmp, ConfigFile), cfgJSON, 0o644); err != nil {
		return err
	}
	if meta != nil {
		metaJSON, err := json.MarshalIndent(meta, "", "  ")
		if err != nil {
			return fmt.Errorf("encode meta: %w", err)
		}
		if err := os.WriteFile(filepath.Join(tmp, MetaFile), metaJSON, 0o644); err != nil {
			return err
		}
	}
	return exceptions.TryCatch[error](func() {
		h, err := checkpoint.Build(store).Dir(filepath.Join(tmp, WeightsDir)).Keep(1).ExcludeAllParams().Done()
		if err != nil {
			panic(err)
		}
		if err := h.Save(); err != nil {
			panic(err)
		}
	})
}

// oldSuffix names the previous checkpoint while a new one is moved into place.
const oldSuffix = ".old"

// replaceDir moves tmp to dir. A previous checkpoint at dir is first renamed to dir.old and
// deleted only once tmp is in place; when dir is missing, dir.old (from an interrupted
// replace) is the only good copy and is kept until then too.
func replaceDir(tmp, dir string) error {
	old := dir + oldSuffix
	parent := filepath.Dir(dir)
	if _, err := os.Stat(dir); err == nil {
		if err := os.RemoveAll(old); err != nil {
			return err
		}
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	if err := syncPath(parent); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

// Load reads a checkpoint directory into a new model, validating config and variables.
func Load(dir string) (arch.Model, error) {
	cfg, err := arch.LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return arch.Model{}, fmt.Errorf("ckpt.Load %s: %w", dir, err)
	}
	weights := filepath.Join(dir, WeightsDir)
	if _, err := os.Stat(weights); err != nil {
		return arch.Model{}, fmt.Errorf("ckpt.Load %s: missing weights: %w", dir, err)
	}
	store := model.NewStore()
	err = exceptions.TryCatch[error](func() {
		if _, err := checkpoint.Load(store).Dir(weights).Immediate().Done(); err != nil {
			panic(err)
		}
	})
	if err != nil {
		return arch.Model{}, fmt.Errorf("ckpt.Load %s: reading weights: %w", dir, err)
	}
	if err := CheckVariables(cfg, store); err != nil {
		return arch.Model{}, fmt.Errorf("ckpt.Load %s: %w", dir, err)
	}
	if err := CheckFinite(cfg, store); err != nil {
		return arch.Model{}, fmt.Errorf("ckpt.Load %s: %w", dir, err)
	}
	// GoMLX checkpoints do not record which variables train: only the model's do.
	for v := range store.IterVariables() {
		v.SetTrainable(arch.IsModelPath(v.Path()))
	}
	return arch.Model{Config: cfg, Store: store}, nil
}

// CheckVariables verifies that store holds every variable of cfg with the right shape and
// dtype, and no model variable that cfg does not describe (optimizer and bookkeeping
// variables outside the model scopes are allowed).
func CheckVariables(cfg arch.Config, store *model.Store) error {
	want := map[string]arch.VarSpec{}
	dtype := arch.DTypeOf(cfg.Enc())
	for _, spec := range cfg.Vars() { // in model order, so the first problem is reported
		path := "/" + spec.Path
		want[path] = spec
		v := store.GetVariable(path)
		if v == nil {
			return fmt.Errorf("variable %s missing (config %s)", path, cfg.Kind)
		}
		if v.DType() != dtype || !slices.Equal(v.Shape().Dimensions, spec.Shape) {
			return fmt.Errorf("variable %s is %s, config wants %s%v", path, v.Shape(), dtype, spec.Shape)
		}
	}
	for v := range store.IterVariables() {
		if _, ok := want[v.Path()]; !ok && arch.IsModelPath(v.Path()) {
			return fmt.Errorf("unknown variable %s: not part of the %s config", v.Path(), cfg.Kind)
		}
	}
	return nil
}

// ReadMeta decodes meta.json of a checkpoint into v.
func ReadMeta(dir string, v any) error {
	data, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		return fmt.Errorf("ckpt.ReadMeta: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("ckpt.ReadMeta %s: %w", filepath.Join(dir, MetaFile), err)
	}
	return nil
}

// Publish moves a fully written folder tmp to dir durably, as Save does with a checkpoint:
// tmp's files and folders are synced, a previous dir is kept as dir.old until tmp is in
// place, then the parent is synced. Other writers of model folders (hf.Save) use it.
func Publish(tmp, dir string) error {
	if err := syncTree(tmp); err != nil {
		return err
	}
	return replaceDir(tmp, dir)
}
