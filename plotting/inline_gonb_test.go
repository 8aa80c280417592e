//go:build linux

package plotting

import (
	"encoding/gob"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// TestInlineInNotebook plays the GoNB kernel: it hands gonbui the two named pipes a kernel
// would, and checks that Inline sends one HTML display message holding the figure's SVG.
func TestInlineInNotebook(t *testing.T) {
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

	received := make(chan protocol.DisplayData, 1)
	go fakeKernel(t, toKernel, fromKernel, received)
	p, err := Schedule("lr", []Series{SampleSchedule("constant", func(int) float64 { return 1e-3 }, 10)})
	if err != nil {
		t.Fatal(err)
	}
	if err := Inline(p); err != nil {
		t.Fatalf("Inline: %v", err)
	}
	select {
	case msg := <-received:
		html, _ := msg.Data[protocol.MIMETextHTML].(string)
		if !strings.Contains(html, "<svg") || !strings.Contains(html, "</svg>") || strings.Contains(html, "<?xml") {
			t.Errorf("display message holds %.200q; want HTML with an inline SVG and no XML prolog", html)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no display message reached the fake kernel")
	}
}

// fakeKernel opens the pipes in the order gonbui does, reads one display message and sends
// it on received, answers the gonbui.Sync request that follows it, then closes its ends.
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
	dec := gob.NewDecoder(r)
	var msg protocol.DisplayData
	if err := dec.Decode(&msg); err != nil {
		t.Error(err)
		return
	}
	received <- msg
	var sync protocol.DisplayData
	if err := dec.Decode(&sync); err != nil {
		t.Error(err)
		return
	}
	req, ok := sync.Data[protocol.MIMECommValue].(protocol.CommValue)
	if !ok || req.Address != protocol.GonbuiSyncAddress {
		t.Errorf("after the figure got %+v; want a gonbui.Sync request", sync)
		return
	}
	ack := &protocol.CommValue{Address: protocol.GonbuiSyncAckAddress, Value: req.Value}
	if err := gob.NewEncoder(w).Encode(ack); err != nil {
		t.Error(err)
	}
}
