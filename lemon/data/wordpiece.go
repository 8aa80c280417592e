package data

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// WordPiece is BERT's tokenizer: basic tokenization (clean control characters, optionally
// lowercase and strip accents, split on whitespace and around every punctuation character, and
// isolate CJK ideographs), then greedy longest-match-first WordPiece on each word. A word
// longer than MaxCharsPerWord characters, or one that cannot be covered by vocabulary pieces,
// becomes a single [UNK]. Special tokens written inside the text (e.g. "[MASK]") are not
// recognised: they are tokenized like any other text.
type WordPiece struct {
	vocab           *Vocab
	whole, cont     map[string]int32 // word-initial pieces; continuation pieces without the prefix
	prefix          string
	lowercase       bool
	stripAccents    bool
	maxCharsPerWord int
}

// NewWordPiece returns a BERT-uncased tokenizer over v (lowercase, strip accents, continuation
// prefix "##", at most 100 characters per word), e.g. for a vocab.txt read with LoadVocab.
func NewWordPiece(v *Vocab) *WordPiece {
	return newWordPiece(v, "##", true, true, 100)
}

func newWordPiece(v *Vocab, prefix string, lowercase, stripAccents bool, maxChars int) *WordPiece {
	w := &WordPiece{vocab: v, whole: make(map[string]int32), cont: make(map[string]int32),
		prefix: prefix, lowercase: lowercase, stripAccents: stripAccents, maxCharsPerWord: maxChars}
	for id, tok := range v.tokens {
		if rest, ok := strings.CutPrefix(tok, prefix); ok && rest != "" {
			w.cont[rest] = int32(id)
		} else {
			w.whole[tok] = int32(id)
		}
	}
	return w
}

// hfTokenizer is the part of a Hugging Face tokenizer.json that WordPiece uses.
type hfTokenizer struct {
	Normalizer *struct {
		Type         string `json:"type"`
		Lowercase    bool   `json:"lowercase"`
		StripAccents *bool  `json:"strip_accents"`
	} `json:"normalizer"`
	Model struct {
		Type                    string           `json:"type"`
		Vocab                   map[string]int32 `json:"vocab"`
		UnkToken                string           `json:"unk_token"`
		ContinuingSubwordPrefix string           `json:"continuing_subword_prefix"`
		MaxInputCharsPerWord    int              `json:"max_input_chars_per_word"`
	} `json:"model"`
}

// LoadWordPiece reads a Hugging Face tokenizer.json whose model is WordPiece and whose
// normalizer is BertNormalizer (as BERT uncased ships), e.g. DefaultDir()/vocab/tokenizer.json.
// Ids must be dense (0 to V-1) and the unknown token must be [UNK].
func LoadWordPiece(tokenizerJSONPath string) (*WordPiece, error) {
	fail := func(format string, args ...any) (*WordPiece, error) {
		return nil, fmt.Errorf("data: LoadWordPiece %s: "+format, append([]any{tokenizerJSONPath}, args...)...)
	}
	content, err := os.ReadFile(tokenizerJSONPath)
	if err != nil {
		return nil, fmt.Errorf("data: LoadWordPiece: %w", err)
	}
	var hf hfTokenizer
	if err := json.Unmarshal(content, &hf); err != nil {
		return fail("%w", err)
	}
	m := hf.Model
	if m.Type != "WordPiece" || (m.UnkToken != "" && m.UnkToken != UnkToken) {
		return fail("model is %q with unknown token %q; want WordPiece with %s", m.Type, m.UnkToken, UnkToken)
	}
	if hf.Normalizer == nil || hf.Normalizer.Type != "BertNormalizer" {
		return fail("normalizer is not BertNormalizer")
	}
	tokens := make([]string, len(m.Vocab))
	for tok, id := range m.Vocab {
		if id < 0 || int(id) >= len(tokens) || tokens[id] != "" {
			return fail("vocabulary ids are not 0..%d, each once (token %q has id %d)", len(tokens)-1, tok, id)
		}
		tokens[id] = tok
	}
	v, err := newVocab("LoadWordPiece "+tokenizerJSONPath, tokens)
	if err != nil {
		return nil, err
	}
	lower := hf.Normalizer.Lowercase
	strip := lower // BertNormalizer's rule when strip_accents is null
	if hf.Normalizer.StripAccents != nil {
		strip = *hf.Normalizer.StripAccents
	}
	prefix, maxChars := m.ContinuingSubwordPrefix, m.MaxInputCharsPerWord
	if prefix == "" {
		prefix = "##"
	}
	if maxChars <= 0 {
		maxChars = 100
	}
	return newWordPiece(v, prefix, lower, strip, maxChars), nil
}

// Vocab returns the tokenizer's vocabulary.
func (w *WordPiece) Vocab() *Vocab { return w.vocab }

// Tokenize splits text into WordPiece tokens, e.g. "Unaffable!" → [una ##ffa ##ble !].
func (w *WordPiece) Tokenize(text string) []string {
	ids := w.Encode(text)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = w.vocab.tokens[id]
	}
	return out
}

// Encode returns the token ids of text (no [CLS] or [SEP] added).
func (w *WordPiece) Encode(text string) []int32 {
	var ids []int32
	for _, word := range w.basicTokenize(text) {
		ids = w.appendWordPieces(ids, word)
	}
	return ids
}

// EncodeDocuments encodes every document's text, using all CPUs; the result is in the order
// of docs.
func (w *WordPiece) EncodeDocuments(docs []Document) [][]int32 {
	out := make([][]int32, len(docs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range jobs {
				out[i] = w.Encode(docs[i].Text)
			}
		})
	}
	for i := range docs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return out
}

// basicTokenize applies BertNormalizer and BertPreTokenizer: it returns the words and
// punctuation characters of text.
func (w *WordPiece) basicTokenize(text string) []string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == 0 || r == unicode.ReplacementChar || isControl(r):
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case isCJK(r):
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	if w.stripAccents {
		s = strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Mn, r) {
				return -1
			}
			return r
		}, norm.NFD.String(s))
	}
	if w.lowercase {
		s = strings.ToLower(s)
	}
	var words []string
	start := -1 // start of the current word, or -1
	for i, r := range s {
		if unicode.IsSpace(r) || isPunct(r) {
			if start >= 0 {
				words = append(words, s[start:i])
				start = -1
			}
			if isPunct(r) {
				words = append(words, string(r))
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words = append(words, s[start:])
	}
	return words
}

// appendWordPieces appends the ids of word's greedy longest-match-first pieces, or [UNK].
func (w *WordPiece) appendWordPieces(ids []int32, word string) []int32 {
	bounds := make([]int, 0, len(word)+1) // byte offsets of character starts, then len(word)
	for i := range word {
		bounds = append(bounds, i)
	}
	bounds = append(bounds, len(word))
	if len(bounds)-1 > w.maxCharsPerWord {
		return append(ids, w.vocab.special.Unk)
	}
	n := len(ids)
	for start := 0; start < len(bounds)-1; {
		table := w.whole
		if start > 0 {
			table = w.cont
		}
		end := len(bounds) - 1
		for ; end > start; end-- {
			if id, ok := table[word[bounds[start]:bounds[end]]]; ok {
				ids = append(ids, id)
				break
			}
		}
		if end == start {
			return append(ids[:n], w.vocab.special.Unk)
		}
		start = end
	}
	return ids
}

// isControl follows BERT: tab, newline and carriage return count as whitespace, other
// characters of the Unicode "other" categories (Cc, Cf, Co, Cs) are dropped.
func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// isPunct follows BERT: ASCII punctuation and symbols (such as $ + < = > ^ ` | ~) and every
// character of the Unicode punctuation categories.
func isPunct(r rune) bool {
	if r < 128 {
		return (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126)
	}
	return unicode.IsPunct(r)
}

// isCJK reports the CJK Unified Ideograph blocks that BERT splits character by character.
func isCJK(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) || (r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) || (r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0x2F800 && r <= 0x2FA1F)
}
