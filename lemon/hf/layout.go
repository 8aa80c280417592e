package hf

import (
	"fmt"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/gpt2"
	"github.com/golemon/golemon/lemon/arch/llama"
	"github.com/golemon/golemon/lemon/arch/vit"
)

// The name maps. Each entry pairs one tensor of the upstream layout with the variable(s) of
// this library it holds, and says how the axes differ. Names are those of the upstream
// modeling code:
//
//   - BERT: transformers, src/transformers/models/bert/modeling_bert.py (BertEmbeddings:
//     word_embeddings, position_embeddings, token_type_embeddings, LayerNorm; BertLayer:
//     attention.self.{query,key,value}, attention.output.{dense,LayerNorm}, intermediate.dense,
//     output.{dense,LayerNorm}; BertPooler: dense; BertLMPredictionHead: transform.{dense,
//     LayerNorm}, bias, decoder tied to word_embeddings; BertForSequenceClassification:
//     classifier). BertForMaskedLM and BertForSequenceClassification hold the encoder under
//     "bert.", BertModel at the top level.
//   - ViT: transformers, src/transformers/models/vit/modeling_vit.py (ViTEmbeddings: cls_token
//     [1, 1, D], position_embeddings [1, N+1, D], patch_embeddings.projection, a Conv2d with
//     weight [D, C, P, P]; ViTLayer: layernorm_before, attention.attention.{query,key,value},
//     attention.output.dense, layernorm_after, intermediate.dense, output.dense; ViTModel:
//     layernorm, pooler.dense; ViTForImageClassification: "vit." and classifier).
//   - timm: pytorch-image-models, timm/models/vision_transformer.py (VisionTransformer:
//     cls_token, pos_embed, patch_embed.proj, blocks.{i}.{norm1, attn.qkv, attn.proj, norm2,
//     mlp.fc1, mlp.fc2}, norm, head; attn.qkv is one Linear with the query, key and value rows
//     stacked in that order).
//   - GPT-2: transformers, src/transformers/models/gpt2/modeling_gpt2.py (GPT2Model: wte, wpe,
//     h.{i}.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj}, ln_f; GPT2LMHeadModel:
//     "transformer." and lm_head tied to wte). Its Conv1D stores weights as [in, out], like
//     this library; c_attn holds the query, key and value columns side by side.
//   - LLaMA: transformers, src/transformers/models/llama/modeling_llama.py (LlamaModel:
//     embed_tokens, layers.{i}.{input_layernorm, self_attn.{q,k,v,o}_proj,
//     post_attention_layernorm, mlp.{gate,up,down}_proj}, norm; LlamaForCausalLM: "model." and
//     lm_head, tied to embed_tokens when tie_word_embeddings).
//
// torch.nn.Linear stores its weight as [out, in]; this library stores [in, out].

// conv is how an upstream tensor's axes relate to this library's variable(s).
type conv int

const (
	same    conv = iota // identical row-major values (vectors, embedding tables, [1, …] squeezed)
	linear              // upstream [out, in], ours [in, out]
	patch               // upstream Conv2d [D, C, P, P], ours [P·P·C, D] in (row, column, channel) order
	qkvW                // upstream [3·H·d, D] (q; k; v rows), ours three [D, H·d]
	qkvB                // upstream [3·H·d], ours three [H·d]
	qkvCols             // upstream Conv1D [D, 3·H·d] (GPT-2's c_attn: q | k | v columns), ours three [D, H·d]
)

// entry is one upstream tensor.
type entry struct {
	name  string   // upstream name
	shape []int    // upstream shape
	ours  []string // our variable path(s), without the leading "/"
	conv  conv
	// patch geometry, for conv == patch
	p, c int
}

func lin(name, ours string, in, out int) []entry {
	return []entry{
		{name: name + ".weight", shape: []int{out, in}, ours: []string{arch.Join(ours, arch.Weights)}, conv: linear},
		{name: name + ".bias", shape: []int{out}, ours: []string{arch.Join(ours, arch.Biases)}, conv: same},
	}
}

func norm(name, ours string, d int) []entry {
	return []entry{
		{name: name + ".weight", shape: []int{d}, ours: []string{arch.Join(ours, arch.Gain)}, conv: same},
		{name: name + ".bias", shape: []int{d}, ours: []string{arch.Join(ours, arch.Offset)}, conv: same},
	}
}

// Architecture names.
const (
	BertForMaskedLM               = "BertForMaskedLM"
	BertForSequenceClassification = "BertForSequenceClassification"
	BertModel                     = "BertModel"
	BertForPreTraining            = "BertForPreTraining"
	ViTForImageClassification     = "ViTForImageClassification"
	ViTModel                      = "ViTModel"
	TimmViT                       = "timm VisionTransformer"
	GPT2LMHeadModel               = "GPT2LMHeadModel"
	LlamaForCausalLM              = "LlamaForCausalLM"
)

// bertEntries maps a BERT of cfg; prefix is "bert." or "".
func bertEntries(c bert.Config, prefix string, mlm bool) []entry {
	d, hd := c.Width, c.Encoder.Heads*c.HeadDim
	es := []entry{
		{name: prefix + "embeddings.word_embeddings.weight", shape: []int{c.VocabSize, d}, ours: []string{bert.TokenEmbed}},
		{name: prefix + "embeddings.position_embeddings.weight", shape: []int{c.MaxPositions, d}, ours: []string{bert.PosEmbed}},
		{name: prefix + "embeddings.token_type_embeddings.weight", shape: []int{c.TypeVocabSize, d}, ours: []string{bert.SegmentEmbed}},
	}
	es = append(es, norm(prefix+"embeddings.LayerNorm", bert.EmbedLN, d)...)
	for i := range c.Layers {
		l := fmt.Sprintf("%sencoder.layer.%d.", prefix, i)
		es = append(es, lin(l+"attention.self.query", arch.InBlock(i, arch.Query), d, hd)...)
		es = append(es, lin(l+"attention.self.key", arch.InBlock(i, arch.Key), d, hd)...)
		es = append(es, lin(l+"attention.self.value", arch.InBlock(i, arch.Value), d, hd)...)
		es = append(es, lin(l+"attention.output.dense", arch.InBlock(i, arch.AttnOutput), hd, d)...)
		es = append(es, norm(l+"attention.output.LayerNorm", arch.InBlock(i, arch.LN1), d)...)
		es = append(es, lin(l+"intermediate.dense", arch.InBlock(i, arch.FC1), d, c.MLPDim)...)
		es = append(es, lin(l+"output.dense", arch.InBlock(i, arch.FC2), c.MLPDim, d)...)
		es = append(es, norm(l+"output.LayerNorm", arch.InBlock(i, arch.LN2), d)...)
	}
	if c.NumClasses > 0 {
		es = append(es, lin(prefix+"pooler.dense", bert.Pooler, d, d)...)
		es = append(es, lin("classifier", bert.Classifier, d, c.NumClasses)...)
	}
	if mlm {
		es = append(es, lin("cls.predictions.transform.dense", bert.MLMTransform, d, d)...)
		es = append(es, norm("cls.predictions.transform.LayerNorm", bert.MLMLN, d)...)
		es = append(es, entry{name: "cls.predictions.bias", shape: []int{c.VocabSize}, ours: []string{bert.MLMDecoderBias}})
	}
	return es
}

// vitEntries maps a ViT of cfg in transformers' naming; prefix is "vit." or "".
func vitEntries(c vit.Config, prefix string, classifier bool) []entry {
	d, hd := c.Width, c.Encoder.Heads*c.HeadDim
	es := []entry{
		{name: prefix + "embeddings.cls_token", shape: []int{1, 1, d}, ours: []string{vit.CLSToken}},
		{name: prefix + "embeddings.position_embeddings", shape: []int{1, c.NumPatches() + 1, d}, ours: []string{vit.PosEmbed}},
		{name: prefix + "embeddings.patch_embeddings.projection.weight", shape: []int{d, c.Channels, c.PatchSize, c.PatchSize},
			ours: []string{arch.Join(vit.PatchEmbed, arch.Weights)}, conv: patch, p: c.PatchSize, c: c.Channels},
		{name: prefix + "embeddings.patch_embeddings.projection.bias", shape: []int{d}, ours: []string{arch.Join(vit.PatchEmbed, arch.Biases)}},
	}
	for i := range c.Layers {
		l := fmt.Sprintf("%sencoder.layer.%d.", prefix, i)
		es = append(es, norm(l+"layernorm_before", arch.InBlock(i, arch.LN1), d)...)
		es = append(es, lin(l+"attention.attention.query", arch.InBlock(i, arch.Query), d, hd)...)
		es = append(es, lin(l+"attention.attention.key", arch.InBlock(i, arch.Key), d, hd)...)
		es = append(es, lin(l+"attention.attention.value", arch.InBlock(i, arch.Value), d, hd)...)
		es = append(es, lin(l+"attention.output.dense", arch.InBlock(i, arch.AttnOutput), hd, d)...)
		es = append(es, norm(l+"layernorm_after", arch.InBlock(i, arch.LN2), d)...)
		es = append(es, lin(l+"intermediate.dense", arch.InBlock(i, arch.FC1), d, c.MLPDim)...)
		es = append(es, lin(l+"output.dense", arch.InBlock(i, arch.FC2), c.MLPDim, d)...)
	}
	es = append(es, norm(prefix+"layernorm", arch.EncoderFinalLN, d)...)
	if classifier {
		es = append(es, lin("classifier", vit.Head, d, c.NumClasses)...)
	}
	return es
}

// timmEntries maps a ViT of cfg in timm's naming.
func timmEntries(c vit.Config) []entry {
	d, hd := c.Width, c.Encoder.Heads*c.HeadDim
	es := []entry{
		{name: "cls_token", shape: []int{1, 1, d}, ours: []string{vit.CLSToken}},
		{name: "pos_embed", shape: []int{1, c.NumPatches() + 1, d}, ours: []string{vit.PosEmbed}},
		{name: "patch_embed.proj.weight", shape: []int{d, c.Channels, c.PatchSize, c.PatchSize},
			ours: []string{arch.Join(vit.PatchEmbed, arch.Weights)}, conv: patch, p: c.PatchSize, c: c.Channels},
		{name: "patch_embed.proj.bias", shape: []int{d}, ours: []string{arch.Join(vit.PatchEmbed, arch.Biases)}},
	}
	for i := range c.Layers {
		l := fmt.Sprintf("blocks.%d.", i)
		qkv := func(leaf string) []string {
			return []string{arch.InBlock(i, arch.Query, leaf), arch.InBlock(i, arch.Key, leaf), arch.InBlock(i, arch.Value, leaf)}
		}
		es = append(es, norm(l+"norm1", arch.InBlock(i, arch.LN1), d)...)
		es = append(es,
			entry{name: l + "attn.qkv.weight", shape: []int{3 * hd, d}, ours: qkv(arch.Weights), conv: qkvW},
			entry{name: l + "attn.qkv.bias", shape: []int{3 * hd}, ours: qkv(arch.Biases), conv: qkvB})
		es = append(es, lin(l+"attn.proj", arch.InBlock(i, arch.AttnOutput), hd, d)...)
		es = append(es, norm(l+"norm2", arch.InBlock(i, arch.LN2), d)...)
		es = append(es, lin(l+"mlp.fc1", arch.InBlock(i, arch.FC1), d, c.MLPDim)...)
		es = append(es, lin(l+"mlp.fc2", arch.InBlock(i, arch.FC2), c.MLPDim, d)...)
	}
	es = append(es, norm("norm", arch.EncoderFinalLN, d)...)
	return append(es, lin("head", vit.Head, d, c.NumClasses)...)
}

// gpt2Entries maps a GPT-2 in GPT2LMHeadModel's naming (the LM head is tied to wte); prefix
// is "transformer." (GPT2LMHeadModel.save_pretrained) or "" (GPT2Model, as OpenAI's hub files).
func gpt2Entries(c gpt2.Config, prefix string) []entry {
	e := c.Encoder
	d, hd := e.Width, e.Heads*e.HeadDim
	es := []entry{
		{name: prefix + "wte.weight", shape: []int{c.VocabSize, d}, ours: []string{gpt2.TokenEmbed}},
		{name: prefix + "wpe.weight", shape: []int{c.MaxPositions, d}, ours: []string{gpt2.PosEmbed}},
	}
	conv1D := func(name, ours string, in, out int) []entry { // Conv1D: [in, out], as ours
		return []entry{
			{name: name + ".weight", shape: []int{in, out}, ours: []string{arch.Join(ours, arch.Weights)}},
			{name: name + ".bias", shape: []int{out}, ours: []string{arch.Join(ours, arch.Biases)}},
		}
	}
	for i := range e.Layers {
		l := fmt.Sprintf("%sh.%d.", prefix, i)
		qkv := func(leaf string) []string {
			return []string{arch.InBlock(i, arch.Query, leaf), arch.InBlock(i, arch.Key, leaf), arch.InBlock(i, arch.Value, leaf)}
		}
		es = append(es, norm(l+"ln_1", arch.InBlock(i, arch.LN1), d)...)
		es = append(es,
			entry{name: l + "attn.c_attn.weight", shape: []int{d, 3 * hd}, ours: qkv(arch.Weights), conv: qkvCols},
			entry{name: l + "attn.c_attn.bias", shape: []int{3 * hd}, ours: qkv(arch.Biases), conv: qkvB})
		es = append(es, conv1D(l+"attn.c_proj", arch.InBlock(i, arch.AttnOutput), hd, d)...)
		es = append(es, norm(l+"ln_2", arch.InBlock(i, arch.LN2), d)...)
		es = append(es, conv1D(l+"mlp.c_fc", arch.InBlock(i, arch.FC1), d, e.MLPDim)...)
		es = append(es, conv1D(l+"mlp.c_proj", arch.InBlock(i, arch.FC2), e.MLPDim, d)...)
	}
	return append(es, norm(prefix+"ln_f", arch.EncoderFinalLN, d)...)
}

// llamaEntries maps a LLaMA-style model in LlamaForCausalLM's naming.
func llamaEntries(c llama.Config) []entry {
	e := c.Encoder
	d, hd, kv := e.Width, e.Heads*e.HeadDim, e.KV()*e.HeadDim
	rms := func(name, ours string) entry {
		return entry{name: name + ".weight", shape: []int{d}, ours: []string{arch.Join(ours, arch.Gain)}}
	}
	proj := func(name, ours string, in, out int) []entry {
		es := lin(name, ours, in, out)
		if e.NoBias {
			return es[:1]
		}
		return es
	}
	es := []entry{{name: "model.embed_tokens.weight", shape: []int{c.VocabSize, d}, ours: []string{llama.TokenEmbed}}}
	for i := range e.Layers {
		l := fmt.Sprintf("model.layers.%d.", i)
		es = append(es, rms(l+"input_layernorm", arch.InBlock(i, arch.LN1)))
		es = append(es, proj(l+"self_attn.q_proj", arch.InBlock(i, arch.Query), d, hd)...)
		es = append(es, proj(l+"self_attn.k_proj", arch.InBlock(i, arch.Key), d, kv)...)
		es = append(es, proj(l+"self_attn.v_proj", arch.InBlock(i, arch.Value), d, kv)...)
		es = append(es, proj(l+"self_attn.o_proj", arch.InBlock(i, arch.AttnOutput), hd, d)...)
		es = append(es, rms(l+"post_attention_layernorm", arch.InBlock(i, arch.LN2)))
		es = append(es, proj(l+"mlp.gate_proj", arch.InBlock(i, arch.Gate), d, e.MLPDim)...)
		es = append(es, proj(l+"mlp.up_proj", arch.InBlock(i, arch.FC1), d, e.MLPDim)...)
		es = append(es, proj(l+"mlp.down_proj", arch.InBlock(i, arch.FC2), e.MLPDim, d)...)
	}
	es = append(es, rms("model.norm", arch.EncoderFinalLN))
	if !c.TieEmbeddings {
		es = append(es, lin("lm_head", llama.LMHead, d, c.VocabSize)[:1]...)
	}
	return es
}

// toOurs converts an upstream tensor's values into those of its variable(s).
func (e entry) toOurs(v []float64) [][]float64 {
	switch e.conv {
	case linear: // [out, in] → [in, out]
		return [][]float64{transpose(v, e.shape[0], e.shape[1])}
	case patch: // [D, C, P, P] → [(r·P + c)·C + ch, D]
		d, p, ch := e.shape[0], e.p, e.c
		out := make([]float64, len(v))
		for o := range d {
			for k := range ch {
				for r := range p {
					for c := range p {
						out[((r*p+c)*ch+k)*d+o] = v[((o*ch+k)*p+r)*p+c]
					}
				}
			}
		}
		return [][]float64{out}
	case qkvW: // [3·hd, D] → three [D, hd]
		hd, d := e.shape[0]/3, e.shape[1]
		return [][]float64{transpose(v[:hd*d], hd, d), transpose(v[hd*d:2*hd*d], hd, d), transpose(v[2*hd*d:], hd, d)}
	case qkvB:
		hd := e.shape[0] / 3
		return [][]float64{v[:hd], v[hd : 2*hd], v[2*hd:]}
	case qkvCols: // [D, 3·hd] → three [D, hd]
		d, hd := e.shape[0], e.shape[1]/3
		out := [][]float64{make([]float64, 0, d*hd), make([]float64, 0, d*hd), make([]float64, 0, d*hd)}
		for r := range d {
			for k := range 3 {
				out[k] = append(out[k], v[r*3*hd+k*hd:r*3*hd+(k+1)*hd]...)
			}
		}
		return out
	}
	return [][]float64{v}
}

// fromOurs is toOurs's inverse.
func (e entry) fromOurs(vs [][]float64) []float64 {
	switch e.conv {
	case linear: // ours [in, out] → [out, in]
		return transpose(vs[0], e.shape[1], e.shape[0])
	case patch:
		d, p, ch := e.shape[0], e.p, e.c
		out := make([]float64, len(vs[0]))
		for o := range d {
			for k := range ch {
				for r := range p {
					for c := range p {
						out[((o*ch+k)*p+r)*p+c] = vs[0][((r*p+c)*ch+k)*d+o]
					}
				}
			}
		}
		return out
	case qkvW:
		hd, d := e.shape[0]/3, e.shape[1]
		var out []float64
		for _, v := range vs {
			out = append(out, transpose(v, d, hd)...)
		}
		return out
	case qkvB:
		return append(append(append([]float64{}, vs[0]...), vs[1]...), vs[2]...)
	case qkvCols:
		d, hd := e.shape[0], e.shape[1]/3
		out := make([]float64, 0, d*3*hd)
		for r := range d {
			for k := range 3 {
				out = append(out, vs[k][r*hd:(r+1)*hd]...)
			}
		}
		return out
	}
	return vs[0]
}

// transpose returns the [cols, rows] transpose of a row-major [rows, cols] matrix.
func transpose(v []float64, rows, cols int) []float64 {
	out := make([]float64, len(v))
	for r := range rows {
		for c := range cols {
			out[c*rows+r] = v[r*cols+c]
		}
	}
	return out
}
