package expand

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
)

// param says how one model parameter's axes expand. A linear map's "weights" are [in, out]
// and its "biases" [out]; a LayerNorm's "gain" and "offset" are [D] with in = the role of the
// LN's input and out = the role of its output.
type param struct {
	in, out Role
	norm    bool // a LayerNorm (gain, offset)
	writer  bool // writes into the residual stream: identity blocks cancel or zero it
}

// blockParams are the parameters inside an encoder block, keyed on arch's sub-paths.
var blockParams = map[string]param{
	arch.LN1:        {in: RoleResidual, out: RoleNormed, norm: true},
	arch.Query:      {in: RoleBlockIn, out: RoleQuery},
	arch.Key:        {in: RoleBlockIn, out: RoleKey},
	arch.Value:      {in: RoleBlockIn, out: RoleValue},
	arch.AttnOutput: {in: RoleValue, out: RoleResidual, writer: true},
	arch.LN2:        {in: RoleResidual, out: RoleNormed, norm: true},
	arch.FC1:        {in: RoleBlockIn, out: RoleHidden},
	arch.FC2:        {in: RoleHidden, out: RoleResidual, writer: true},
}

// modelParams are the parameters outside the blocks, keyed on arch's paths.
var modelParams = map[string]param{
	arch.PatchEmbed:     {in: RoleFixed, out: RoleResidual},
	arch.CLSToken:       {out: RoleResidual},
	arch.PosEmbed:       {in: RoleFixed, out: RoleResidual},
	arch.ViTHead:        {in: RoleTop, out: RoleFixed},
	arch.TokenEmbed:     {in: RoleFixed, out: RoleResidual}, // also the tied MLM decoder
	arch.PosEmbedB:      {in: RoleFixed, out: RoleResidual},
	arch.SegmentEmbed:   {in: RoleFixed, out: RoleResidual},
	arch.EmbedLN:        {in: RoleResidual, out: RoleNormed, norm: true},
	arch.EncoderFinalLN: {in: RoleResidual, out: RoleTop, norm: true},
	arch.MLMTransform:   {in: RoleTop, out: RoleMLMDense},
	arch.MLMLN:          {in: RoleMLMDense, out: RoleTied, norm: true},
	arch.MLMDecoderBias: {out: RoleFixed},
	arch.Pooler:         {in: RoleTop, out: RolePooled},
	arch.BERTClassifier: {in: RolePooled, out: RoleFixed},
}

// varRef is a variable path split along the naming scheme.
type varRef struct {
	block int    // encoder block, −1 outside the blocks
	key   string // the blockParams or modelParams key
	leaf  string // "weights", "biases", "gain", "offset", or "" when the key is the variable
}

// path rebuilds the variable path of r inside block b (ignored outside the blocks).
func (r varRef) path(b int) string {
	p := r.key
	if r.block >= 0 {
		p = arch.InBlock(b, r.key)
	}
	if r.leaf != "" {
		p = arch.Join(p, r.leaf)
	}
	return p
}

// parseVar finds the table entry of a variable path (no leading "/").
func parseVar(path string) (varRef, param, error) {
	if p, ok := modelParams[path]; ok {
		return varRef{block: -1, key: path}, p, nil
	}
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return varRef{}, param{}, fmt.Errorf("expand: variable %q is not in the arch naming scheme", path)
	}
	parent, leaf := path[:i], path[i+1:]
	if p, ok := modelParams[parent]; ok {
		return varRef{block: -1, key: parent, leaf: leaf}, p, nil
	}
	prefix := arch.ScopeEncoder + "/block_"
	if rest, ok := strings.CutPrefix(parent, prefix); ok {
		num, sub, _ := strings.Cut(rest, "/")
		j, err := strconv.Atoi(num)
		if p, ok := blockParams[sub]; ok && err == nil {
			return varRef{block: j, key: sub, leaf: leaf}, p, nil
		}
	}
	return varRef{}, param{}, fmt.Errorf("expand: variable %q has no expansion role (not in the arch naming scheme)", path)
}
