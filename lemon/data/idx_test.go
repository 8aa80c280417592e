package data

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadIDXPlainAndGzip(t *testing.T) {
	dir := t.TempDir()
	img, lab := toyImages(5, 4, 3, 3)
	imgRaw := idxBytes(idxMagicImages, []uint32{5, 4, 3}, img)
	labRaw := idxBytes(idxMagicLabels, []uint32{5}, lab)
	for name, pair := range map[string][2][]byte{
		"plain": {imgRaw, labRaw},
		"gzip":  {gzipBytes(t, imgRaw), gzipBytes(t, labRaw)},
	} {
		t.Run(name, func(t *testing.T) {
			set, err := LoadIDX(writeFile(t, filepath.Join(dir, name+"-images"), pair[0]),
				writeFile(t, filepath.Join(dir, name+"-labels"), pair[1]))
			if err != nil {
				t.Fatal(err)
			}
			if set.N != 5 || set.Height != 4 || set.Width != 3 || set.Channels != 1 || set.NumClasses != 3 {
				t.Fatalf("got N=%d H=%d W=%d C=%d classes=%d, want 5 4 3 1 3",
					set.N, set.Height, set.Width, set.Channels, set.NumClasses)
			}
			// Image 2, pixel 5 is (2*7+5) = 19, scaled by 1/255; label of image 4 is 4 mod 3.
			if got, want := set.Pixels[2*12+5], float32(19)/255; got != want {
				t.Errorf("pixel [2, 1, 2] = %g, want %g", got, want)
			}
			if set.Labels[4] != 1 {
				t.Errorf("label 4 = %d, want 1", set.Labels[4])
			}
		})
	}
}

func TestLoadIDXErrorsNamePathAndProblem(t *testing.T) {
	dir := t.TempDir()
	img, lab := toyImages(5, 4, 3, 10)
	goodImages := writeFile(t, filepath.Join(dir, "good-images"), idxBytes(idxMagicImages, []uint32{5, 4, 3}, img))
	goodLabels := writeFile(t, filepath.Join(dir, "good-labels"), idxBytes(idxMagicLabels, []uint32{5}, lab))
	gzImages := gzipBytes(t, idxBytes(idxMagicImages, []uint32{5, 4, 3}, img))
	cases := []struct {
		name       string
		images     []byte // nil: use the good images file
		labels     []byte // nil: use the good labels file
		wantInMsgs []string
	}{
		{"truncated payload", idxBytes(idxMagicImages, []uint32{5, 4, 3}, img[:50]), nil,
			[]string{"truncated", "50 of 60"}},
		{"truncated header", idxBytes(idxMagicImages, []uint32{5}, nil), nil, []string{"truncated header"}},
		{"truncated gzip", gzImages[:len(gzImages)/2], nil, []string{"truncated"}},
		{"wrong magic", idxBytes(idxMagicLabels, []uint32{5, 4, 3}, img), nil, []string{"magic number 2049, want 2051"}},
		{"labels given as images", nil, idxBytes(idxMagicImages, []uint32{5}, lab), []string{"magic number 2051, want 2049"}},
		{"zero dimension", idxBytes(idxMagicImages, []uint32{5, 0, 3}, nil), nil, []string{"dimension 1 is zero"}},
		{"huge header", idxBytes(idxMagicImages, []uint32{1 << 30, 1 << 30, 1}, img), nil, []string{"more than"}},
		{"trailing bytes", idxBytes(idxMagicImages, []uint32{5, 4, 3}, append(img, 1, 2)), nil, []string{"trailing"}},
		{"count mismatch", nil, idxBytes(idxMagicLabels, []uint32{4}, lab[:4]), []string{"5 images", "4 labels"}},
		{"empty file", []byte{}, nil, []string{"truncated header"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			images, labels := goodImages, goodLabels
			bad := goodImages
			if c.images != nil {
				images = writeFile(t, filepath.Join(dir, "bad-images-"+string(rune('a'+i))), c.images)
				bad = images
			}
			if c.labels != nil {
				labels = writeFile(t, filepath.Join(dir, "bad-labels-"+string(rune('a'+i))), c.labels)
				bad = labels
			}
			set, err := LoadIDX(images, labels)
			if err == nil {
				t.Fatalf("LoadIDX accepted a bad file: N=%d", set.N)
			}
			for _, want := range append(c.wantInMsgs, bad) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
	if _, err := LoadIDX(filepath.Join(dir, "missing"), goodLabels); err == nil ||
		!strings.Contains(err.Error(), filepath.Join(dir, "missing")) {
		t.Errorf("missing file: got error %v, want one naming the path", err)
	}
}

// FuzzReadIDX checks that no corrupt file makes the loader panic. Its seeds run with go test.
func FuzzReadIDX(f *testing.F) {
	img, _ := toyImages(2, 2, 2, 2)
	good := idxBytes(idxMagicImages, []uint32{2, 2, 2}, img)
	f.Add(good)
	f.Add(gzipBytes(f, good))
	f.Add(good[:9])
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	path := filepath.Join(f.TempDir(), "fuzz")
	f.Fuzz(func(t *testing.T, content []byte) {
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		dims, payload, err := readIDX("fuzz", path, idxMagicImages, 3)
		if err == nil && len(payload) != dims[0]*dims[1]*dims[2] {
			t.Fatalf("dims %v but %d payload bytes", dims, len(payload))
		}
	})
}

func TestLoadMNISTFromStandardFiles(t *testing.T) {
	dir := t.TempDir()
	writeToyIDXDir(t, dir, 20)
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 20 || test.N != 10 || train.NumClasses != 10 {
		t.Errorf("got train N=%d, test N=%d, classes %d; want 20, 10, 10", train.N, test.N, train.NumClasses)
	}
	// Plain (not gzipped) files are found too.
	plainDir := t.TempDir()
	for _, name := range []string{trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile} {
		img, lab := toyImages(3, 2, 2, 10)
		content := idxBytes(idxMagicImages, []uint32{3, 2, 2}, img)
		if strings.Contains(name, "labels") {
			content = idxBytes(idxMagicLabels, []uint32{3}, lab)
		}
		writeFile(t, filepath.Join(plainDir, name), content)
	}
	if _, _, err := LoadFashionMNIST(plainDir); err != nil {
		t.Errorf("plain IDX files: %v", err)
	}
}

func TestLoadMNISTMissingFileSaysWhatToRun(t *testing.T) {
	dir := t.TempDir()
	writeToyIDXDir(t, dir, 4)
	if err := os.Remove(filepath.Join(dir, testLabelsFile+".gz")); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadFashionMNIST(dir)
	if err == nil {
		t.Fatal("LoadFashionMNIST succeeded without t10k-labels")
	}
	for _, want := range []string{"LoadFashionMNIST", testLabelsFile, dir, FetchScript} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(EnvDataDir, "/some/where")
	if dir, err := DefaultDir(); err != nil || dir != "/some/where" {
		t.Errorf("with $%s set: got %q, %v", EnvDataDir, dir, err)
	}
	t.Setenv(EnvDataDir, "")
	dir, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	// The tests run in lemon/data, two levels below go.mod.
	want, _ := filepath.Abs(filepath.Join("..", "..", ".data"))
	if dir != want {
		t.Errorf("DefaultDir() = %q, want %q", dir, want)
	}
}
