package arch

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/ml/model"
)

// BERTInputs are the graph inputs of a BERT forward pass.
type BERTInputs struct {
	TokenIDs   *Node // [B, T] int32
	SegmentIDs *Node // [B, T] int32, or nil for all-zero segments
	KeyMask    *Node // [B, T] 1 = real token, 0 = padding; nil when nothing is padded
}

// BERTEncode returns the encoder output: [B, T, D] (after the final LN for Pre-LN).
func BERTEncode(scope *model.Scope, cfg BERTConfig, in BERTInputs) *Node {
	b := newBuilder(scope, in.TokenIDs.Graph(), cfg.Encoder)
	return b.bertEncode(cfg, in)
}

func (b *builder) bertEncode(cfg BERTConfig, in BERTInputs) *Node {
	ids := in.TokenIDs
	seq := ids.Shape().Dim(1)
	x := Gather(b.v(TokenEmbed), InsertAxes(ids, -1)) // [B, T, D]
	pos := Slice(b.v(PosEmbedB), AxisRange(0, seq))   // [T, D]
	x = Add(x, InsertAxes(pos, 0))
	if in.SegmentIDs != nil {
		x = Add(x, Gather(b.v(SegmentEmbed), InsertAxes(in.SegmentIDs, -1)))
	} else {
		seg0 := Slice(b.v(SegmentEmbed), AxisRange(0, 1)) // [1, D]
		x = Add(x, InsertAxes(seg0, 0))
	}
	if cfg.EmbeddingLN {
		x = b.layerNorm(EmbedLN, x)
	}
	x = b.dropout(x)
	return b.encode(x, in.KeyMask)
}

// BERTMLMLogits returns masked-LM logits at the given positions:
// positions [B, M] int32 → [B, M, V]. The decoder is tied to the token embedding.
func BERTMLMLogits(scope *model.Scope, cfg BERTConfig, in BERTInputs, positions *Node) *Node {
	b := newBuilder(scope, in.TokenIDs.Graph(), cfg.Encoder)
	x := b.bertEncode(cfg, in)
	return b.mlmHead(cfg, x, positions)
}

func (b *builder) mlmHead(cfg BERTConfig, x, positions *Node) *Node {
	batch, m := positions.Shape().Dim(0), positions.Shape().Dim(1)
	// Gather rows x[b, positions[b, j]]: indices [B, M, 2] over the (B, T) axes.
	batchIdx := Iota(x.Graph(), shapes.Make(dtypes.Int32, batch, m), 0)
	idx := Stack([]*Node{batchIdx, ConvertDType(positions, batchIdx.DType())}, -1)
	h := Gather(x, idx) // [B, M, D]
	if cfg.MLMTransform {
		h = b.linear(MLMTransform, h)
		h = activationOf(b.enc)(h, b.training())
		h = b.layerNorm(MLMLN, h)
	}
	logits := tiedDecoderOp(h, b.v(TokenEmbed)) // [B, M, V]
	return Add(logits, ExpandLeftToRank(b.v(MLMDecoderBias), 3))
}

// BERTClassifierLogits returns sequence-classification logits from the pooled CLS token:
// tanh(x₀·W_p + b_p)·W_c + b_c → [B, classes]. It needs cfg.NumClasses > 0.
func BERTClassifierLogits(scope *model.Scope, cfg BERTConfig, in BERTInputs) *Node {
	b := newBuilder(scope, in.TokenIDs.Graph(), cfg.Encoder)
	x := b.bertEncode(cfg, in)
	pooled := Tanh(b.linear(Pooler, firstToken(x)))
	return b.linear(BERTClassifier, pooled)
}
