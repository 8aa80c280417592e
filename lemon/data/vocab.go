package data

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// BERT special tokens. Restrict gives them the ids 0 to 4 in this order.
const (
	PadToken  = "[PAD]"
	UnkToken  = "[UNK]"
	ClsToken  = "[CLS]"
	SepToken  = "[SEP]"
	MaskToken = "[MASK]"
)

var specialTokens = []string{PadToken, UnkToken, ClsToken, SepToken, MaskToken}

// SpecialIDs holds the ids of the BERT special tokens in one vocabulary.
type SpecialIDs struct{ Pad, Unk, Cls, Sep, Mask int32 }

// Vocab is a WordPiece vocabulary: token i has id i. It is immutable.
type Vocab struct {
	tokens  []string
	ids     map[string]int32
	special SpecialIDs
	normal  []int32 // ids of the tokens that are not bracketed, like [PAD] or [unused7]
}

// newVocab builds a vocabulary from tokens in id order, checking that tokens are non-empty
// and unique and that all five special tokens are present. where heads errors: the exported
// function and the file.
func newVocab(where string, tokens []string) (*Vocab, error) {
	v := &Vocab{tokens: tokens, ids: make(map[string]int32, len(tokens))}
	for i, tok := range tokens {
		if tok == "" || strings.ContainsAny(tok, "\n\r") {
			return nil, fmt.Errorf("data: %s: token %d is empty or holds a line break", where, i)
		}
		if j, dup := v.ids[tok]; dup {
			return nil, fmt.Errorf("data: %s: token %q has ids %d and %d", where, tok, j, i)
		}
		v.ids[tok] = int32(i)
		if !isBracketed(tok) {
			v.normal = append(v.normal, int32(i))
		}
	}
	ids := make([]int32, len(specialTokens))
	for i, tok := range specialTokens {
		id, ok := v.ids[tok]
		if !ok {
			return nil, fmt.Errorf("data: %s: special token %s missing", where, tok)
		}
		ids[i] = id
	}
	v.special = SpecialIDs{Pad: ids[0], Unk: ids[1], Cls: ids[2], Sep: ids[3], Mask: ids[4]}
	return v, nil
}

// NumOrdinary is the number of tokens that are not bracketed specials like [PAD] or [unused7].
func (v *Vocab) NumOrdinary() int { return len(v.normal) }

// NewVocab builds a vocabulary from tokens in id order (see LoadVocab for the checks).
func NewVocab(tokens []string) (*Vocab, error) { return newVocab("NewVocab", tokens) }

// isBracketed reports special-looking tokens such as [PAD], [MASK] and [unused12].
func isBracketed(tok string) bool {
	return len(tok) > 2 && tok[0] == '[' && tok[len(tok)-1] == ']'
}

// Size is the number of tokens, V.
func (v *Vocab) Size() int { return len(v.tokens) }

// Token returns the token with the given id; it panics if id is not in [0, V).
func (v *Vocab) Token(id int32) string { return v.tokens[id] }

// ID returns the id of token, if it is in the vocabulary.
func (v *Vocab) ID(token string) (int32, bool) {
	id, ok := v.ids[token]
	return id, ok
}

// Special returns the ids of [PAD], [UNK], [CLS], [SEP] and [MASK].
func (v *Vocab) Special() SpecialIDs { return v.special }

// IsSpecial reports whether id is a bracketed token such as [CLS], [UNK] or [unused3]: the MLM
// masking never draws such a token as a random replacement.
func (v *Vocab) IsSpecial(id int32) bool { return isBracketed(v.tokens[id]) }

// Save writes the vocabulary as vocab.txt (one token per line, line i holding id i), the
// format BERT checkpoints carry. It writes a temporary file and renames it into place.
func (v *Vocab) Save(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("data: saving vocabulary: %w", err)
	}
	w := bufio.NewWriter(tmp)
	for _, tok := range v.tokens {
		w.WriteString(tok)
		w.WriteByte('\n')
	}
	err = w.Flush()
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("data: saving vocabulary to %s: %w", path, err)
	}
	return nil
}

// LoadVocab reads a vocab.txt written by Vocab.Save (or shipped with a BERT checkpoint).
func LoadVocab(path string) (*Vocab, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: LoadVocab: %w", err)
	}
	text := strings.TrimSuffix(strings.ReplaceAll(string(content), "\r\n", "\n"), "\n")
	return newVocab("LoadVocab "+path, strings.Split(text, "\n"))
}

// Remap maps token ids of a full vocabulary to the ids of a compact one built by Restrict.
type Remap []int32

// Apply returns the streams with every id remapped; it panics on an id outside the full
// vocabulary, which means the streams were not encoded with it.
func (r Remap) Apply(streams [][]int32) [][]int32 {
	out := make([][]int32, len(streams))
	for i, s := range streams {
		out[i] = make([]int32, len(s))
		for j, id := range s {
			out[i][j] = r[id]
		}
	}
	return out
}

// Restrict builds a compact vocabulary for training on a small corpus, where most of BERT's
// 30,522 tokens never occur and a full-size output softmax wastes compute.
//
// The compact vocabulary holds [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4, then every other
// token that occurs at least max(minCount, 1) times in streams (ids of v, normally the training split
// only), in v's id order. The returned Remap sends each id of v to its compact id, and tokens
// not kept to [UNK]; apply it to training and validation streams alike, so validation tokens
// unseen in training become [UNK].
//
// Save the compact vocabulary next to a checkpoint. Encoding new text with
// NewWordPiece(compact) gives the same ids as encoding with v and remapping for every word whose
// pieces were all kept; a word with a dropped piece becomes a single [UNK] instead.
func (v *Vocab) Restrict(streams [][]int32, minCount int) (*Vocab, Remap) {
	counts := make([]int, len(v.tokens))
	for _, s := range streams {
		for _, id := range s {
			counts[id]++
		}
	}
	isSpecialToken := make(map[string]bool, len(specialTokens))
	tokens := append([]string(nil), specialTokens...)
	for _, tok := range specialTokens {
		isSpecialToken[tok] = true
	}
	for id, tok := range v.tokens {
		if counts[id] >= minCount && counts[id] > 0 && !isSpecialToken[tok] {
			tokens = append(tokens, tok)
		}
	}
	compact, err := newVocab("Vocab.Restrict", tokens)
	if err != nil {
		panic(err) // unreachable: tokens come unique and non-empty from v
	}
	remap := make(Remap, len(v.tokens))
	for id, tok := range v.tokens {
		newID, ok := compact.ids[tok]
		if !ok {
			newID = compact.special.Unk
		}
		remap[id] = newID
	}
	return compact, remap
}
