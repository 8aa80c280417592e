package arch

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Patchify cuts square images into flattened patches in (row, column, channel) order:
// images: [B, S, S, C] → [B, N, P·P·C] with N = (S/P)².
func Patchify(images *Node, patch int) *Node {
	dims := images.Shape().Dimensions
	if len(dims) != 4 || dims[1] != dims[2] || dims[1]%patch != 0 {
		exceptions.Panicf("arch: Patchify wants [B, S, S, C] with S a multiple of %d, got %s", patch, images.Shape())
	}
	batch, side, ch := dims[0], dims[1], dims[3]
	n := side / patch
	x := Reshape(images, batch, n, patch, n, patch, ch)
	x = TransposeAllAxes(x, 0, 1, 3, 2, 4, 5) // [B, n, n, P, P, C]
	return Reshape(x, batch, n*n, patch*patch*ch)
}

// ViTLogits builds the ViT forward pass: images [B, S, S, C] → class logits [B, classes].
// Variables must already exist in the scope's store (see Init).
func ViTLogits(scope *model.Scope, cfg ViTConfig, images *Node) *Node {
	b := newBuilder(scope, images.Graph(), cfg.Encoder)
	x := ViTFeatures(b, cfg, images)
	return b.linear(ViTHead, firstToken(x))
}

// ViTFeatures returns the encoder output of every token (CLS first): [B, N+1, D].
func ViTFeatures(b *builder, cfg ViTConfig, images *Node) *Node {
	dtype := DTypeOf(cfg.Encoder)
	if images.DType() != dtype {
		images = ConvertDType(images, dtype)
	}
	batch, d := images.Shape().Dim(0), cfg.Width
	x := b.linear(PatchEmbed, Patchify(images, cfg.PatchSize)) // [B, N, D]
	cls := BroadcastToDims(Reshape(b.v(CLSToken), 1, 1, d), batch, 1, d)
	x = Concatenate([]*Node{cls, x}, 1) // [B, N+1, D]
	x = Add(x, InsertAxes(b.v(PosEmbed), 0))
	x = b.dropout(x)
	return b.encode(x, nil)
}
