package gonbplot

import (
	"fmt"
	"html"
	"strings"

	"github.com/golemon/golemon/lemon/expand"
	"github.com/janpfeifer/gonb/gonbui"
)

// PlanHTML renders an expansion plan as HTML: its header (sizes, method, exactness, width
// quantities, blocks) and a table of its first maxRows target variables (all when maxRows ≤ 0)
// with their shapes, source, rule and axis roles.
func PlanHTML(p *expand.Plan, maxRows int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "<pre style=\"margin:0\">%s</pre>\n", html.EscapeString(strings.TrimRight(p.Header(), "\n")))
	sb.WriteString(`<table style="font-family:monospace;font-size:90%"><tr><th>target</th><th>shape</th><th>source</th><th>shape</th><th>rule</th><th>in</th><th>out</th></tr>` + "\n")
	steps := p.Steps()
	shown := steps
	if maxRows > 0 && len(steps) > maxRows {
		shown = steps[:maxRows]
	}
	for _, st := range shown {
		src, srcShape := st.Source, fmt.Sprint(st.SourceShape)
		if src == "" {
			src, srcShape = "(none)", ""
		}
		in := ""
		if st.In != expand.RoleNone {
			in = st.In.String()
		}
		fmt.Fprintf(&sb, "<tr><td>%s</td><td>%v</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			html.EscapeString(st.Target), st.TargetShape, html.EscapeString(src), srcShape, st.Rule, in, st.Out)
	}
	sb.WriteString("</table>\n")
	if len(shown) < len(steps) {
		fmt.Fprintf(&sb, "<p>… and %d more variables (plan.String() lists every one).</p>\n", len(steps)-len(shown))
	}
	return sb.String()
}

// ShowPlan displays PlanHTML(p, maxRows) in the current GoNB cell. Outside GoNB it returns
// ErrNotNotebook.
func ShowPlan(p *expand.Plan, maxRows int) error {
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	gonbui.DisplayHTML(PlanHTML(p, maxRows))
	return waitDisplayed()
}
