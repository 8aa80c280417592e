// Package toy is a minimal model family, the template for adding one: a classifier of vector
// sequences ([B, T, Features] → classes) built from the shared encoder. Adding a family is
// this folder and its one Register call: expansion (every method), verification and
// checkpoints reach it through arch.FamilyConfig, and its variables declare their axis roles
// in the Family. Import it for its side effect: _ "github.com/golemon/golemon/lemon/arch/toy".
package toy

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/ml/model"
)

// Kind is the family's config kind; Scope holds its variables outside the encoder blocks.
const (
	Kind  arch.Kind = "toy"
	Scope           = "toy"
	In              = Scope + "/in"   // the input projection [Features, D]
	Head            = Scope + "/head" // the classifier [D, Classes]
)

func init() {
	arch.MustRegister(arch.Family{
		Kind: Kind, Scope: Scope,
		Roles: map[string]arch.AxisRoles{
			In:   {In: arch.RoleFixed, Out: arch.RoleResidual},
			Head: {In: arch.RoleTop, Out: arch.RoleFixed},
		},
		Decode: arch.DecodeAs[Config],
	})
}

// Config is the toy family's config.
type Config struct {
	Encoder  arch.Encoder `json:"encoder"`
	Features int          `json:"features"` // input vector size
	Seq      int          `json:"seq"`      // sequence length of random verification inputs
	Classes  int          `json:"classes"`
}

// New is an arch.Config holding c.
func New(c Config) arch.Config { return arch.Config{Kind: Kind, Other: c} }

func (c Config) Enc() arch.Encoder { return c.Encoder }

func (c Config) WithEncoder(e arch.Encoder) arch.FamilyConfig { c.Encoder = e; return c }

func (c Config) Validate() error {
	if c.Features < 1 || c.Seq < 1 || c.Classes < 1 {
		return fmt.Errorf("toy: features %d, seq %d and classes %d must be ≥ 1", c.Features, c.Seq, c.Classes)
	}
	if p := c.Encoder.Problems("toy.encoder."); len(p) > 0 {
		return fmt.Errorf("toy: %s", strings.Join(p, "; "))
	}
	return nil
}

func (c Config) Vars() []arch.VarSpec {
	vs := arch.LinearVars(In, c.Features, c.Encoder.Width)
	vs = append(vs, arch.EncoderVars(c.Encoder)...)
	return append(vs, arch.LinearVars(Head, c.Encoder.Width, c.Classes)...)
}

func (c Config) ParamsFloat() float64 {
	n := 0
	for _, v := range c.Vars() {
		n += v.Size()
	}
	return float64(n)
}

func (c Config) Heads() ([]arch.Head, error) {
	return []arch.Head{{Name: "toy", Logits: func(s *model.Scope, in []*Node) *Node {
		x := arch.Linear(s, c.Encoder, In, in[0])
		return arch.Linear(s, c.Encoder, Head, arch.FirstToken(arch.Encode(s, c.Encoder, x, nil)))
	}}}, nil
}

func (c Config) HeadInputs(in arch.Inputs) ([]any, error) {
	if in.Vectors == nil {
		return nil, fmt.Errorf("toy: the model reads vectors; the inputs hold none")
	}
	return []any{in.Vectors}, nil
}

func (c Config) RandomInputs(batch int, seed uint64) arch.Inputs {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, batch*c.Seq*c.Features)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return arch.Inputs{Vectors: arch.NewTensor(arch.DTypeOf(c.Encoder), x, []int{batch, c.Seq, c.Features})}
}

func (c Config) ExampleTrainFLOPs() (float64, string) {
	e, t := c.Encoder, float64(c.Seq)
	forward := 2*t*float64(c.Features*e.Width) + arch.EncoderForwardFLOPs(e, c.Seq) + 2*float64(e.Width*c.Classes)
	return arch.TrainFLOPs(forward), fmt.Sprintf("sequence of %d", c.Seq)
}

// ExampleShape is one example as the head reads it: [Seq, Features] (arch.Classifier).
func (c Config) ExampleShape() []int { return []int{c.Seq, c.Features} }

// NumClasses is the classifier's number of classes (arch.Classifier).
func (c Config) NumClasses() int { return c.Classes }
