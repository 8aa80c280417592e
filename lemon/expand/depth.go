package expand

import (
	"fmt"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
)

// writerRule is how a target block's output writers (attention output, fc2) are built.
type writerRule int

const (
	wCopy   writerRule = iota // expanded from the source block (a full copy)
	wCancel                   // copies of each unit get rows summing to zero
	wZero                     // all zero
)

// block says where target block j comes from.
type block struct {
	src     int        // source block whose weights it takes
	isNew   bool       // a block the source does not have
	writers writerRule // how its writers are built
	next    int        // AKI: source block of its new units (−1: none)
	ln1     int        // source block of LN1 (−1: affine-free, Post-LN only)
	ln2     int        // source block of LN2 (−1: affine-free, Post-LN only)
}

// identityOut reports whether the block adds nothing to the residual stream.
func (b block) identityOut() bool { return b.isNew && b.writers != wCopy }

// layout returns the source block and novelty of every target block.
func layout(ls, lt int, l Layout) (src []int, isNew []bool) {
	switch l {
	case Interleave:
		q, rem := lt/ls, lt%ls
		for i := range ls {
			n := q
			if i >= ls-rem {
				n++
			}
			for c := range n {
				src, isNew = append(src, i), append(isNew, c > 0)
			}
		}
	case Stacked:
		for j := range lt {
			src, isNew = append(src, j%ls), append(isNew, j >= ls)
		}
	default:
		panic(fmt.Sprintf("expand: unknown layout %d", int(l)))
	}
	return src, isNew
}

// blockLayout is how the method fills L_T target blocks from L_S source blocks.
func blockLayout(z sizes, m Method, spec Spec) []block {
	row := m.row()
	l := spec.Layout
	if row.stacked {
		l = Stacked
	}
	ls := z.src.Layers
	src, isNew := layout(ls, z.tgt.Layers, l)
	if row.solar {
		src, isNew = solarLayout(ls, z.tgt.Layers)
	}
	if row.spread {
		src, isNew = spreadLayout(ls, z.tgt.Layers)
	}
	blocks := make([]block, len(src))
	for j := range blocks {
		b := block{src: src[j], isNew: isNew[j], writers: wCopy, next: -1}
		if b.isNew {
			b.writers = row.writers(spec.NewWriters)
			if row.nextBlock && l == Interleave {
				b.src = min(b.src+1, ls-1) // bert2BERT: the new block takes the next block's knowledge
			}
		}
		if row.nextBlock {
			b.next = min(b.src+1, ls-1)
		}
		b.ln1, b.ln2 = b.src, b.src
		blocks[j] = b
	}
	if z.src.Norm == arch.PostLN {
		postLNNorms(blocks)
	}
	return blocks
}

// solarLayout is SOLAR's depth up-scaling: m = L_S − L_T/2 blocks dropped from the end of
// the first copy and from the start of the second (L_T even, L_S < L_T ≤ 2·L_S: checked by
// methodProblems; L_T = L_S keeps the source's blocks).
func solarLayout(ls, lt int) (src []int, isNew []bool) {
	if lt == ls { // depth kept: the source's blocks
		return layout(ls, lt, Interleave)
	}
	m := ls - lt/2
	for i := range ls - m {
		src, isNew = append(src, i), append(isNew, false)
	}
	for i := m; i < ls; i++ {
		src, isNew = append(src, i), append(isNew, true)
	}
	return src, isNew
}

// spreadLayout is LLaMA Pro's (block_expansion.py): with P = L_T − L_S new blocks dividing
// L_S, a copy of source block i follows it whenever (i+1) is a multiple of L_S/P
// (32 → 40: new blocks after blocks 3, 7, …, 31).
func spreadLayout(ls, lt int) (src []int, isNew []bool) {
	if lt <= ls {
		return layout(ls, lt, Interleave)
	}
	split := ls / (lt - ls)
	for i := range ls {
		src, isNew = append(src, i), append(isNew, false)
		if (i+1)%split == 0 {
			src, isNew = append(src, i), append(isNew, true)
		}
	}
	return src, isNew
}

// postLNNorms makes identity blocks lossless in Post-LN (docs/method.md#post-ln-depth): an inserted
// block still passes through two LNs, so its LN1 is affine-free, and the (γ, β) of the LN2
// of the last source block before it move to the last LN2 of the run; earlier LN2s of the
// run become affine-free. Exact up to O(ε/σ²).
func postLNNorms(blocks []block) {
	owner := -1
	for j := range blocks {
		if !blocks[j].identityOut() {
			owner = blocks[j].src
		} else {
			blocks[j].ln1 = -1
		}
		blocks[j].ln2 = owner
		if j+1 < len(blocks) && blocks[j+1].identityOut() {
			blocks[j].ln2 = -1
		}
	}
}

// describeBlocks is one line per run of blocks, e.g. "0←0 1←1 2←1′(cancel)".
func describeBlocks(blocks []block) string {
	parts := make([]string, len(blocks))
	for j, b := range blocks {
		s := fmt.Sprintf("%d←%d", j, b.src)
		if b.isNew {
			s += "′"
			switch b.writers {
			case wCopy:
				s += "(copy)"
			case wCancel:
				s += "(cancel)"
			case wZero:
				s += "(zero)"
			}
		}
		parts[j] = s
	}
	return strings.Join(parts, " ")
}
