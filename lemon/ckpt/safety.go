package ckpt

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// IsCheckpoint reports whether dir holds a complete checkpoint: config.json and weights/.
func IsCheckpoint(dir string) bool {
	cfg, err := os.Stat(filepath.Join(dir, ConfigFile))
	if err != nil || !cfg.Mode().IsRegular() {
		return false
	}
	w, err := os.Stat(filepath.Join(dir, WeightsDir))
	return err == nil && w.IsDir()
}

// CheckReplace returns nil when Save may write dir: it does not exist, is an empty folder, or
// holds a checkpoint (which Save then replaces). Anything else — a file, a folder with other
// contents — is refused, so that Save never deletes what is not a checkpoint.
func CheckReplace(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("ckpt: %w", err)
	case !info.IsDir():
		return fmt.Errorf("ckpt: %s exists and is a file, not a checkpoint folder; not replacing it", dir)
	}
	if IsCheckpoint(dir) {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("ckpt: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("ckpt: %s exists and is not a checkpoint (no %s and %s/, holds %s); not replacing it",
			dir, ConfigFile, WeightsDir, entries[0].Name())
	}
	return nil
}

// Overlaps reports whether paths a and b name the same folder or one lies inside the other
// (after making them absolute and resolving symbolic links where they exist).
func Overlaps(a, b string) bool {
	ra, rb := resolve(a), resolve(b)
	inside := func(x, y string) bool { return x == y || strings.HasPrefix(x, y+string(filepath.Separator)) }
	return inside(ra, rb) || inside(rb, ra)
}

func resolve(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	// Resolve the longest existing prefix, keeping the missing rest as written.
	rest := ""
	for cur := abs; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// Find returns the checkpoint to resume from at dir: dir itself when complete, else the
// previous checkpoint dir.old that an interrupted Save leaves behind, else "" (none).
func Find(dir string) string {
	for _, d := range []string{dir, dir + oldSuffix} {
		if IsCheckpoint(d) {
			return d
		}
	}
	return ""
}

// CheckFinite returns an error naming the first model variable of cfg in store that holds a
// NaN or an infinity.
func CheckFinite(cfg arch.Config, store *model.Store) error {
	for _, spec := range cfg.Vars() {
		v := store.GetVariable("/" + spec.Path)
		if v == nil {
			continue // CheckVariables reports missing variables
		}
		val, err := v.Value()
		if err != nil {
			return fmt.Errorf("variable /%s: %w", spec.Path, err)
		}
		if i, x, bad := firstNonFinite(val); bad {
			return fmt.Errorf("variable /%s holds %v at flat index %d", spec.Path, x, i)
		}
	}
	return nil
}

func firstNonFinite(t *tensors.Tensor) (int, float64, bool) {
	switch t.DType() {
	case dtypes.Float32:
		return scanNonFinite[float32](t)
	case dtypes.Float64:
		return scanNonFinite[float64](t)
	}
	return -1, 0, false
}

func scanNonFinite[T float32 | float64](t *tensors.Tensor) (idx int, val float64, bad bool) {
	_ = tensors.ConstFlatData(t, func(flat []T) {
		for i, x := range flat {
			if y := float64(x); math.IsNaN(y) || math.IsInf(y, 0) {
				idx, val, bad = i, y, true
				return
			}
		}
	})
	return idx, val, bad
}

// removeStale deletes temporary folders an interrupted Save of dir left behind.
func removeStale(dir string) {
	stale, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), filepath.Base(dir)+".tmp-*"))
	for _, s := range stale {
		_ = os.RemoveAll(s)
	}
}

// syncTree flushes every file and folder under root to stable storage.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return syncPath(path)
	})
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}
