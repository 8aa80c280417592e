package ckpt

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/gomlx/gomlx/core/tensors"
)

// tree lists every path under root with its size, to show that nothing changed.
func tree(t *testing.T, root string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil {
			out[p] = info.Size()
		}
		return nil
	})
	return out
}

// TestSaveRefusesNonCheckpoints: Save never replaces a file or a folder that is not a
// checkpoint, says which, and leaves it as it was.
func TestSaveRefusesNonCheckpoints(t *testing.T) {
	cfg := tinyConfig()
	store, _ := arch.Init(cfg, 1)
	base := t.TempDir()
	file := filepath.Join(base, "notes.txt")
	runDir := filepath.Join(base, "run") // a run folder: log.csv and a checkpoint inside
	_ = os.WriteFile(file, []byte("keep me"), 0o644)
	_ = os.MkdirAll(runDir, 0o755)
	_ = os.WriteFile(filepath.Join(runDir, "log.csv"), []byte("step\n"), 0o644)
	if err := Save(filepath.Join(runDir, "ckpt"), arch.Model{Config: cfg, Store: store}, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dir, want string }{
		{file, "is a file"},
		{runDir, "is not a checkpoint"},
		{runDir + "/", "is not a checkpoint"},
	} {
		before := tree(t, base)
		err := Save(c.dir, arch.Model{Config: cfg, Store: store}, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Save(%s): %v, want one line containing %q", c.dir, err, c.want)
		}
		if after := tree(t, base); len(after) != len(before) {
			t.Errorf("Save(%s) changed the tree: %d → %d entries", c.dir, len(before), len(after))
		}
	}
	empty := filepath.Join(base, "empty")
	_ = os.Mkdir(empty, 0o755)
	if err := Save(empty, arch.Model{Config: cfg, Store: store}, nil); err != nil {
		t.Errorf("an empty folder should take a checkpoint: %v", err)
	}
}

// TestOverlaps covers the paths expand -out must refuse for a given -in.
func TestOverlaps(t *testing.T) {
	base := t.TempDir()
	in := filepath.Join(base, "run", "ckpt")
	_ = os.MkdirAll(in, 0o755)
	_ = os.Symlink(in, filepath.Join(base, "link"))
	for _, c := range []struct {
		out  string
		want bool
	}{
		{in, true}, {in + "/", true}, {filepath.Join(base, "run"), true}, {filepath.Join(in, "sub"), true},
		{filepath.Join(base, "link"), true}, {filepath.Join(base, "run", "ckpt2"), false}, {filepath.Join(base, "other"), false},
	} {
		if got := Overlaps(in, c.out); got != c.want {
			t.Errorf("Overlaps(%s, %s) = %v, want %v", in, c.out, got, c.want)
		}
	}
}

// TestNonFiniteRefused: a NaN or an infinity is refused on save and on load, naming the variable.
func TestNonFiniteRefused(t *testing.T) {
	dir, cfg := saved(t)
	ld3, err := Load(dir)
	store := ld3.Store
	if err != nil {
		t.Fatal(err)
	}
	path := "/" + cfg.Vars()[0].Path
	v := store.GetVariable(path)
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		w := tensors.MustCopyFlatData[float32](v.MustValue())
		w[3] = bad
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(w, v.Shape().Dimensions...)); err != nil {
			t.Fatal(err)
		}
		err := Save(dir, arch.Model{Config: cfg, Store: store}, nil)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Save with %v in %s: %v, want an error naming the variable", bad, path, err)
		}
	}
	if _, err := Load(dir); err != nil {
		t.Errorf("the refused saves damaged the checkpoint: %v", err)
	}
	// A checkpoint written with a NaN (bypassing Save's check) is refused by Load.
	nanDir := dir + ".nan"
	if err := os.Mkdir(nanDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeFiles(nanDir, mustJSON(t, cfg), store, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(nanDir); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Load of a NaN checkpoint: %v, want an error naming %s", err, path)
	}
}

func mustJSON(t *testing.T, cfg arch.Config) []byte {
	t.Helper()
	b, err := cfg.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestInterruptedSave: after a crash between Save's two renames only dir.old is left; Find
// resumes from it, the next Save keeps it until the new checkpoint is in place, and stale
// temporary folders are removed.
func TestInterruptedSave(t *testing.T) {
	dir, cfg := saved(t)
	if err := os.Rename(dir, dir+oldSuffix); err != nil { // the state a crash leaves
		t.Fatal(err)
	}
	stale := dir + ".tmp-123"
	_ = os.Mkdir(stale, 0o755)
	if got := Find(dir); got != dir+oldSuffix {
		t.Fatalf("Find = %q, want %s", got, dir+oldSuffix)
	}
	ld4, err := Load(Find(dir))
	store := ld4.Store
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(dir, arch.Model{Config: cfg, Store: store}, nil); err != nil {
		t.Fatal(err)
	}
	if Find(dir) != dir || IsCheckpoint(dir+oldSuffix) {
		t.Errorf("after the save: Find %q, old left %v", Find(dir), IsCheckpoint(dir+oldSuffix))
	}
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("stale temporary folder %s left", stale)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o755 {
		t.Errorf("checkpoint folder mode %v (err %v), want 0755", info.Mode().Perm(), err)
	}
	if Find(filepath.Join(t.TempDir(), "none")) != "" {
		t.Error("Find of a missing checkpoint should be empty")
	}
}
