package ckpt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

var testID = Identity{Model: "toy", Params: map[string]any{"filters": 4, "latent": 3}}

// newStore returns a store with a trainable weight, a bias and a non-trainable counter.
func newStore(t *testing.T, scale float32, wDims ...int) *model.Store {
	t.Helper()
	if len(wDims) == 0 {
		wDims = []int{2, 3}
	}
	n := 1
	for _, d := range wDims {
		n *= d
	}
	w := make([]float32, n)
	for i := range w {
		w[i] = scale * float32(i+1)
	}
	s := model.NewStore()
	if _, err := s.CreateVariable("/net/w", tensors.FromFlatDataAndDimensions(w, wDims...)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateVariable("/net/b", tensors.FromFlatDataAndDimensions([]float32{scale, -scale}, 2)); err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateVariable("/opt/count", tensors.FromFlatDataAndDimensions([]int64{int64(scale)}, 1))
	if err != nil {
		t.Fatal(err)
	}
	c.Trainable = false
	return s
}

func flat(t *testing.T, s *model.Store, path string) []float32 {
	t.Helper()
	v := s.GetVariable(path)
	if v == nil {
		t.Fatalf("variable %s missing", path)
	}
	return tensors.MustCopyFlatData[float32](v.MustValue())
}

type extraState struct {
	Losses []float64
	Seed   uint64
}

func quietDir(t *testing.T, path string, keep int) *Dir {
	t.Helper()
	d, err := Open(path, testID, keep)
	if err != nil {
		t.Fatal(err)
	}
	d.Log = func(string, ...any) {}
	return d
}

func TestRoundTripIntoEmptyAndExistingStore(t *testing.T) {
	d := quietDir(t, t.TempDir(), 0)
	src := newStore(t, 2)
	path, err := d.Save(src, 42, extraState{Losses: []float64{0.5, 0.25}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != FileName(42) {
		t.Fatalf("saved as %s", path)
	}
	for name, dst := range map[string]*model.Store{"empty": model.NewStore(), "existing": newStore(t, 5)} {
		var ex extraState
		info, err := d.Load(dst, &ex)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if info.Step != 42 || info.Path != path || ex.Seed != 7 || len(ex.Losses) != 2 {
			t.Fatalf("%s: info %+v extra %+v", name, info, ex)
		}
		if got := flat(t, dst, "/net/w"); got[5] != 12 {
			t.Fatalf("%s: w = %v", name, got)
		}
		if dst.GetVariable("/opt/count").Trainable {
			t.Fatalf("%s: trainable flag not restored", name)
		}
	}
}

func TestNoCheckpoint(t *testing.T) {
	d := quietDir(t, t.TempDir(), 0)
	if _, err := d.Load(model.NewStore(), nil); !errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("got %v, want ErrNoCheckpoint", err)
	}
}

func TestKeepN(t *testing.T) {
	dir := t.TempDir()
	d := quietDir(t, dir, 2)
	for step := int64(1); step <= 5; step++ {
		if _, err := d.Save(newStore(t, float32(step)), step*10, nil); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := d.List()
	if len(files) != 2 || filepath.Base(files[0]) != FileName(50) || filepath.Base(files[1]) != FileName(40) {
		t.Fatalf("files = %v", files)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, tmpPattern)); len(tmps) != 0 {
		t.Fatalf("temporary files left: %v", tmps)
	}
}

// saveThree writes checkpoints at steps 1, 2, 3 with distinct values.
func saveThree(t *testing.T, d *Dir) []string {
	var paths []string
	for step := int64(1); step <= 3; step++ {
		p, err := d.Save(newStore(t, float32(step)), step, nil)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func TestTruncatedNewestFallsBackAndIsKept(t *testing.T) {
	for _, cut := range []int64{5, 30, -3} { // in the preamble, in the header, in the data
		d := quietDir(t, t.TempDir(), 0)
		paths := saveThree(t, d)
		st, _ := os.Stat(paths[2])
		size := cut
		if cut < 0 {
			size = st.Size() + cut
		}
		if err := os.Truncate(paths[2], size); err != nil {
			t.Fatal(err)
		}
		dst := model.NewStore()
		info, err := d.Load(dst, nil)
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if info.Step != 2 || len(info.Skipped) != 1 {
			t.Fatalf("cut %d: info %+v", cut, info)
		}
		msg := info.Skipped[0].Error()
		if !strings.Contains(msg, paths[2]) || !strings.Contains(msg, "truncated") {
			t.Fatalf("cut %d: error %q should name the file and say truncated", cut, msg)
		}
		if got := flat(t, dst, "/net/b"); got[0] != 2 {
			t.Fatalf("cut %d: loaded b = %v, want step 2's", cut, got)
		}
		if _, err := os.Stat(paths[2]); err != nil {
			t.Fatalf("cut %d: the corrupt file was removed: %v", cut, err)
		}
	}
}

func TestCorruptByteIsDetected(t *testing.T) {
	d := quietDir(t, t.TempDir(), 0)
	paths := saveThree(t, d)
	b, _ := os.ReadFile(paths[2])
	b[len(b)-5] ^= 0x40 // flip a bit in the data section
	if err := os.WriteFile(paths[2], b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(paths[2])
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Path != paths[2] || !strings.Contains(err.Error(), "checksum mismatch in tensor") {
		t.Fatalf("got %v", err)
	}
	b[30] ^= 0x01 // and one in the header
	os.WriteFile(paths[2], b, 0o644)
	if _, err := ReadFile(paths[2]); err == nil || !strings.Contains(err.Error(), "header checksum") {
		t.Fatalf("got %v", err)
	}
	os.WriteFile(paths[2], []byte("PK\x03\x04 this is a zip file, not a checkpoint"), 0o644)
	if _, err := ReadFile(paths[2]); err == nil || !strings.Contains(err.Error(), "not an arcade checkpoint") {
		t.Fatalf("got %v", err)
	}
}

func TestAllCorrupt(t *testing.T) {
	d := quietDir(t, t.TempDir(), 0)
	paths := saveThree(t, d)
	for _, p := range paths {
		os.Truncate(p, 10)
	}
	_, err := d.Load(model.NewStore(), nil)
	if err == nil || errors.Is(err, ErrNoCheckpoint) || !strings.Contains(err.Error(), paths[0]) {
		t.Fatalf("got %v", err)
	}
}

func TestIdentityMismatch(t *testing.T) {
	dir := t.TempDir()
	d := quietDir(t, dir, 0)
	paths := saveThree(t, d)
	other, _ := Open(dir, Identity{Model: "toy", Params: map[string]any{"filters": 8, "latent": 3}}, 0)
	_, err := other.Load(model.NewStore(), nil)
	var me *MismatchError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "filters is 4 in checkpoint, 8 in this model") ||
		!strings.Contains(err.Error(), paths[2]) {
		t.Fatalf("got %v", err)
	}
	dqn, _ := Open(dir, Identity{Model: "dqn"}, 0)
	if _, err := dqn.Load(model.NewStore(), nil); err == nil || !strings.Contains(err.Error(), `model is "toy", want "dqn"`) {
		t.Fatalf("got %v", err)
	}
	if files, _ := d.List(); len(files) != 3 {
		t.Fatalf("files touched: %v", files)
	}
}

func TestShapeMismatchChangesNothing(t *testing.T) {
	d := quietDir(t, t.TempDir(), 0)
	saveThree(t, d)
	dst := newStore(t, 9, 3, 2) // w is [3,2] instead of [2,3]
	_, err := d.Load(dst, nil)
	if err == nil || !strings.Contains(err.Error(), "variable /net/w is (Float32)[2, 3] in checkpoint, (Float32)[3, 2] in the model") {
		t.Fatalf("got %v", err)
	}
	if got := flat(t, dst, "/net/b"); got[0] != 9 {
		t.Fatalf("store changed on mismatch: b = %v", got)
	}
	extra := newStore(t, 9)
	extra.CreateVariable("/net/new", tensors.FromFlatDataAndDimensions([]float32{1}, 1))
	if _, err := d.Load(extra, nil); err == nil || !strings.Contains(err.Error(), "/net/new") {
		t.Fatalf("got %v", err)
	}
}

// TestInterruptedSaveLeavesPreviousIntact simulates a save that dies midway:
// the write fails after some bytes, as when the process is killed.
func TestInterruptedSaveLeavesPreviousIntact(t *testing.T) {
	dir := t.TempDir()
	d := quietDir(t, dir, 0)
	paths := saveThree(t, d)
	before, _ := os.ReadFile(paths[2])
	boom := errors.New("killed")
	err := writeAtomic(paths[2], func(w io.Writer) error {
		// removeTemps finds a save's temporary file by tmpPattern.
		if m, _ := filepath.Glob(filepath.Join(dir, tmpPattern)); len(m) != 1 {
			t.Errorf("temporary files matching %s during a save: %v, want one", tmpPattern, m)
		}
		w.Write([]byte(Magic + "garbage"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(paths[2])
	if !bytes.Equal(before, after) {
		t.Fatal("an interrupted save changed the existing checkpoint")
	}
	// A temporary file left by a killed process is never taken for a checkpoint.
	os.WriteFile(filepath.Join(dir, ".ckpt-123.tmp"), []byte("partial"), 0o644)
	info, err := d.Load(model.NewStore(), nil)
	if err != nil || info.Step != 3 {
		t.Fatalf("info %+v err %v", info, err)
	}
}

func TestRunStopsOnCancelAndBudget(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	r := NewRun(ctx, RunOptions{Out: &out, SaveEvery: time.Hour})
	if r.Done() || r.SaveDue() {
		t.Fatal("fresh run already done or due")
	}
	if !r.Progress(1, 10, "loss=%.1f", 0.5) || !strings.Contains(out.String(), "step 1/10") {
		t.Fatalf("first progress line missing: %q", out.String())
	}
	cancel()
	if !r.Done() || r.StopReason() != "interrupted" {
		t.Fatal("cancel not seen")
	}
	b := NewRun(context.Background(), RunOptions{Budget: time.Nanosecond, Out: io.Discard})
	time.Sleep(time.Millisecond)
	if !b.Done() || !strings.Contains(b.StopReason(), "budget") {
		t.Fatal("budget not seen")
	}
}
