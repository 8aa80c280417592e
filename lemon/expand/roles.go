package expand

import "github.com/golemon/golemon/lemon/arch"

// param says how one model parameter's axes expand: the roles arch declares for it.
type param = arch.AxisRoles

// varRef is a variable path split along the naming scheme.
type varRef = arch.VarRef

// parseVar finds the roles of a variable path (no leading "/").
func parseVar(path string) (varRef, param, error) { return arch.ParseVar(path) }
