//go:build linux

package gonbplot

import (
	"encoding/gob"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/plotting"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// TestShowAndLiveInNotebook plays the GoNB kernel: it hands gonbui the two named pipes a
// kernel would, and checks that Show sends one HTML message holding the figure's SVG, and
// that Live redraws one display block in place (progress bar, then the curve), erases it
// when done and leaves a permanent figure. gonbui opens its pipes once per process, so both
// run against one fake kernel.
func TestShowAndLiveInNotebook(t *testing.T) {
	if gonbui.IsNotebook {
		t.Skip("running inside GoNB")
	}
	dir := t.TempDir()
	toKernel, fromKernel := filepath.Join(dir, "to_kernel"), filepath.Join(dir, "from_kernel")
	for _, path := range []string{toKernel, fromKernel} {
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Skipf("named pipes unavailable: %v", err)
		}
	}
	t.Setenv(protocol.GONB_PIPE_ENV, toKernel)
	t.Setenv(protocol.GONB_PIPE_BACK_ENV, fromKernel)
	gonbui.IsNotebook = true
	defer func() { gonbui.IsNotebook = false }()

	received := make(chan protocol.DisplayData, 32)
	go fakeKernel(t, toKernel, fromKernel, received)
	next := func() (id, html string) {
		select {
		case msg := <-received:
			html, _ := msg.Data[protocol.MIMETextHTML].(string)
			return msg.DisplayID, html
		case <-time.After(10 * time.Second):
			t.Fatal("no display message reached the fake kernel")
			return "", ""
		}
	}

	p, err := plotting.Schedule("lr", []plotting.Series{plotting.SampleSchedule("constant", func(int) float64 { return 1e-3 }, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if err := Show(p); err != nil {
		t.Fatalf("Show: %v", err)
	}
	if id, html := next(); id != "" || !strings.Contains(html, "<svg") || !strings.Contains(html, "</svg>") || strings.Contains(html, "<?xml") {
		t.Errorf("Show sent block %q holding %.200q; want HTML with an inline SVG and no XML prolog", id, html)
	}

	live := NewLive("scratch", plotting.ValLoss, 8)
	live.Add(runner.Row{Step: 0, ValLoss: 2}) // first row: drawn at once (no curve yet)
	if id, html := next(); id != live.id || !strings.Contains(html, `<progress value="0" max="8"`) || strings.Contains(html, "<svg") {
		t.Errorf("first redraw: block %q, %.200q", id, html)
	}
	live.Add(runner.Row{Step: 4, ValLoss: 1.5}) // within MinRedraw: recorded, not drawn
	live.Add(runner.Row{Step: 8, ValLoss: 1})   // the last step: always drawn
	if id, html := next(); id != live.id || !strings.Contains(html, "step 8 of 8") || !strings.Contains(html, "<svg") {
		t.Errorf("last redraw: block %q, %.200q", id, html)
	}
	if err := live.Done(); err != nil {
		t.Fatal(err)
	}
	if id, html := next(); id != live.id || html != "" {
		t.Errorf("Done should first erase the transient block: block %q, %.100q", id, html)
	}
	if id, html := next(); id != "" || !strings.Contains(html, "<svg") || !strings.Contains(html, "step 8 of 8") {
		t.Errorf("Done's permanent figure: block %q, %.200q", id, html)
	}
}

// fakeKernel opens the pipes in the order gonbui does, then sends every display message on
// received and answers every gonbui.Sync request, until the pipe closes.
func fakeKernel(t *testing.T, toKernel, fromKernel string, received chan<- protocol.DisplayData) {
	r, err := os.OpenFile(toKernel, os.O_RDONLY, 0)
	if err != nil {
		t.Error(err)
		return
	}
	defer r.Close()
	w, err := os.OpenFile(fromKernel, os.O_WRONLY, 0)
	if err != nil {
		t.Error(err)
		return
	}
	defer w.Close()
	dec, enc := gob.NewDecoder(r), gob.NewEncoder(w)
	for {
		var msg protocol.DisplayData
		if err := dec.Decode(&msg); err != nil {
			return // the test is over
		}
		if req, ok := msg.Data[protocol.MIMECommValue].(protocol.CommValue); ok && req.Address == protocol.GonbuiSyncAddress {
			if err := enc.Encode(&protocol.CommValue{Address: protocol.GonbuiSyncAckAddress, Value: req.Value}); err != nil {
				return
			}
			continue
		}
		received <- msg
	}
}
