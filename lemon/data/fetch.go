package data

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Missing lists which of the data sets (subfolders of dir such as SubdirFashionMNIST) are
// absent or empty in dir. It reads only folder listings: a present set is checked in full
// by its loader.
func Missing(dir string, sets ...string) []string {
	var missing []string
	for _, s := range sets {
		entries, err := os.ReadDir(filepath.Join(dir, s))
		if err != nil || len(entries) == 0 {
			missing = append(missing, s)
		}
	}
	return missing
}

// Fetch runs the repository's FetchScript into dir (idempotent: sets that check out are not
// fetched again), writing its progress to log. It needs what the script needs (Go, npm,
// apt-get for Fashion-MNIST) and the network; the error is one line naming the cause.
func Fetch(dir string, log io.Writer) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	script := filepath.Join(root, FetchScript)
	if _, err := os.Stat(script); err != nil {
		return fmt.Errorf("data: no fetch script at %s (not a golemon checkout?)", script)
	}
	if log == nil {
		log = io.Discard
	}
	var tail bytes.Buffer
	cmd := exec.Command("bash", script, dir)
	cmd.Stdout, cmd.Stderr = log, io.MultiWriter(log, &tail)
	if err := cmd.Run(); err != nil {
		last := lastLine(tail.String())
		if last == "" {
			last = err.Error()
		}
		return fmt.Errorf("data: %s %s failed: %s", FetchScript, dir, last)
	}
	return nil
}

// Ensure makes sure the data sets are in dir: when some are missing it fetches them with
// Fetch if fetch is true, and otherwise (or if they are still missing after fetching)
// returns a one-line error naming them and the command that fetches them. With every set
// present it does nothing (no network).
func Ensure(dir string, fetch bool, log io.Writer, sets ...string) error {
	missing := Missing(dir, sets...)
	if len(missing) == 0 {
		return nil
	}
	if !fetch {
		return fmt.Errorf("data: %s not in %s: run %s (from the repository root) first", strings.Join(missing, ", "), dir, FetchScript)
	}
	if log != nil {
		fmt.Fprintf(log, "data: %s not in %s yet: fetching with %s\n", strings.Join(missing, ", "), dir, FetchScript)
	}
	if err := Fetch(dir, log); err != nil {
		return err
	}
	if missing = Missing(dir, sets...); len(missing) > 0 {
		return fmt.Errorf("data: %s still not in %s after %s (see its warnings above)", strings.Join(missing, ", "), dir, FetchScript)
	}
	return nil
}

// repoRoot is the nearest folder above the working directory holding go.mod.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("data: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", errors.New("data: no go.mod above " + wd + ": run from inside the golemon repository")
		}
	}
}

// lastLine is the last non-blank line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
