package data_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/golemon/golemon/lemon/data"
)

// writeIDX writes an unsigned-byte IDX file (for the examples: real code reads fetched ones).
func writeIDX(path string, magic uint32, dims []uint32, payload []byte) {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	binary.Write(&b, binary.BigEndian, dims)
	b.Write(payload)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

func ExampleLoadIDX() {
	dir, _ := os.MkdirTemp("", "idx")
	defer os.RemoveAll(dir)
	// Three 2×2 images with labels 0, 1, 2.
	writeIDX(filepath.Join(dir, "images"), 2051, []uint32{3, 2, 2}, []byte{0, 255, 0, 255, 51, 51, 51, 51, 0, 0, 0, 0})
	writeIDX(filepath.Join(dir, "labels"), 2049, []uint32{3}, []byte{0, 1, 2})

	set, err := data.LoadIDX(filepath.Join(dir, "images"), filepath.Join(dir, "labels"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("N=%d H=%d W=%d C=%d classes=%d\n", set.N, set.Height, set.Width, set.Channels, set.NumClasses)
	fmt.Println("first image:", set.Pixels[:4], "second image:", set.Pixels[4:8])

	_, err = data.LoadIDX(filepath.Join(dir, "labels"), filepath.Join(dir, "labels"))
	fmt.Println(strings.Replace(err.Error(), dir, "DIR", 1))
	// Output:
	// N=3 H=2 W=2 C=1 classes=3
	// first image: [0 1 0 1] second image: [0.2 0.2 0.2 0.2]
	// data: LoadIDX DIR/labels: magic number 2049, want 2051 (wrong file or not an IDX file?)
}

func ExampleNewImageBatcher() {
	set := &data.ImageSet{N: 6, Height: 1, Width: 1, Channels: 1, NumClasses: 6,
		Pixels: []float32{0, 1, 2, 3, 4, 5}, Labels: []int32{0, 1, 2, 3, 4, 5}}
	batches, err := data.NewImageBatcher(set, 4, 42, true)
	if err != nil {
		log.Fatal(err)
	}
	_, labels := batches.Next()
	fmt.Println("epoch 0:", labels) // 2 of the 6 examples wait for a later epoch
	_, labels = batches.Next()
	fmt.Println("epoch 1:", labels, batches.State())

	saved := batches.State()
	_, want := batches.Next()
	resumed, _ := data.NewImageBatcher(set, 4, 42, true)
	if err := resumed.Restore(saved); err != nil {
		log.Fatal(err)
	}
	_, got := resumed.Next()
	fmt.Println("resumed:", got, "original:", want)
	// Output:
	// epoch 0: [5 3 2 1]
	// epoch 1: [0 1 2 4] {1 4}
	// resumed: [5 0 4 3] original: [5 0 4 3]
}

// writeVocab writes a small vocab.txt (a real one comes from data.LoadWordPiece or a checkpoint).
func writeVocab(dir string) string {
	tokens := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
		"the", "whale", "white", "is", "it", "una", "##ffa", "##ble", "##s", "##n", "'", "t", ",", "?", "."}
	path := filepath.Join(dir, "vocab.txt")
	if err := os.WriteFile(path, []byte(strings.Join(tokens, "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	return path
}

func ExampleWordPiece_Tokenize() {
	dir, _ := os.MkdirTemp("", "vocab")
	defer os.RemoveAll(dir)
	vocab, err := data.LoadVocab(writeVocab(dir))
	if err != nil {
		log.Fatal(err)
	}
	wp := data.NewWordPiece(vocab)
	fmt.Println(wp.Tokenize("Unaffable, isn't it? The WHITE whales."))
	fmt.Println(wp.Encode("the whale"))
	// Output:
	// [una ##ffa ##ble , is ##n ' t it ? the white whale ##s .]
	// [5 6]
}

func ExampleVocab_Restrict() {
	dir, _ := os.MkdirTemp("", "vocab")
	defer os.RemoveAll(dir)
	vocab, _ := data.LoadVocab(writeVocab(dir))
	wp := data.NewWordPiece(vocab)
	train := wp.EncodeDocuments([]data.Document{{Text: "The white whale, the whale."}})
	val := wp.EncodeDocuments([]data.Document{{Text: "Is it the whale?"}})

	compact, remap := vocab.Restrict(train, 2) // keep tokens seen at least twice
	fmt.Println("compact vocabulary:", compact.Size(), "tokens")
	fmt.Println("train:", remap.Apply(train))
	fmt.Println("validation:", remap.Apply(val)) // unseen tokens become [UNK] = 1
	if err := compact.Save(filepath.Join(dir, "compact-vocab.txt")); err != nil {
		log.Fatal(err)
	}
	// Output:
	// compact vocabulary: 7 tokens
	// train: [[5 1 6 1 5 6 1]]
	// validation: [[1 1 5 6 1]]
}
