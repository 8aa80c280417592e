package arch

// PlainOps switches the hand-derived operators of ops.go to autodiff of the textbook
// formulas, for the external tests that compare the two (ops_test.go).
var PlainOps = &plainOps

// SoftmaxBackward is the softmax's hand-derived backward, replaceable to test that the
// gradient check catches a wrong one.
var SoftmaxBackward = &softmaxBackward

// GELUOp and GELUTanhOp are the two GELU forms with their gradients.
var GELUOp, GELUTanhOp = gelu, geluTanh
