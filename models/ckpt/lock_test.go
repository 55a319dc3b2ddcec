package ckpt

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/ml/model"
)

// TestSecondWriterIsRefused: two writers on one directory; the second gets a
// *LockedError naming the first (pid, command), and the lock is free again
// after Close.
func TestSecondWriterIsRefused(t *testing.T) {
	dir := t.TempDir()
	a, err := OpenWriter(dir, testID, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenWriter(dir, testID, 0)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second writer: err = %v, want a *LockedError", err)
	}
	msg := err.Error()
	for _, want := range []string{dir, "pid " + strconv.Itoa(os.Getpid()), os.Args[0], "in use"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not name %q", msg, want)
		}
	}
	if err := CheckWriter(dir); !errors.As(err, &le) {
		t.Errorf("CheckWriter on a held directory: %v", err)
	}
	// A reader needs no lock.
	if _, err := Open(dir, testID, 0); err != nil {
		t.Errorf("reader refused: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := OpenWriter(dir, testID, 0)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	b.Close()
}

// TestLockReleasedWhenHolderDies: a process that holds the lock and is
// killed releases it (the OS drops the flock).
func TestLockReleasedWhenHolderDies(t *testing.T) {
	if os.Getenv("CKPT_LOCK_HOLDER") != "" {
		if _, err := OpenWriter(os.Getenv("CKPT_LOCK_HOLDER"), testID, 0); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		select {} // hold until killed
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockReleasedWhenHolderDies$")
	cmd.Env = append(os.Environ(), "CKPT_LOCK_HOLDER="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf[:6]) != "locked" {
		cmd.Process.Kill()
		t.Fatalf("holder did not lock: %q %v", buf, err)
	}
	var le *LockedError
	if _, err := OpenWriter(dir, testID, 0); !errors.As(err, &le) || le.Holder.PID != cmd.Process.Pid {
		t.Errorf("while the holder lives: err = %v, want one naming pid %d", err, cmd.Process.Pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	d, err := OpenWriter(dir, testID, 0)
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	d.Close()
}

// TestTempsRemovedWhenLocked: partial saves of killed processes go when a
// writer takes the directory, however young they are; a reader leaves them.
func TestTempsRemovedWhenLocked(t *testing.T) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, ".ckpt-1554980242.tmp")
	if err := os.WriteFile(tmp, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, testID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("a reader removed a fresh temporary file (it may be another writer's): %v", err)
	}
	d, err := OpenWriter(dir, testID, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("temporary file still there after the lock was taken: %v", err)
	}
}

// readOnlyDir returns a directory this process cannot create files in.
func readOnlyDir(t *testing.T) string {
	if os.Geteuid() == 0 {
		return "/proc" // root writes anywhere but here
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	return dir
}

func TestReadOnlyDirRefusedUpFront(t *testing.T) {
	dir := readOnlyDir(t)
	for name, err := range map[string]error{
		"OpenWriter":  func() error { _, err := OpenWriter(dir, testID, 0); return err }(),
		"CheckWriter": CheckWriter(dir),
	} {
		if err == nil || !strings.Contains(err.Error(), "not writable") || !strings.Contains(err.Error(), dir) {
			t.Errorf("%s: err = %v, want one saying %s is not writable", name, err, dir)
		}
	}
}

// TestSaveErrorNamesTarget: a failed save names the checkpoint, not the
// temporary file it was writing.
func TestSaveErrorNamesTarget(t *testing.T) {
	dir := t.TempDir()
	d := quietDir(t, dir, 0)
	os.RemoveAll(dir) // the directory vanished (or turned read-only) mid-run
	_, err := d.Save(newStore(t, 1), 7, nil)
	if err == nil {
		t.Fatal("save into a missing directory succeeded")
	}
	if !strings.Contains(err.Error(), FileName(7)) || strings.Contains(err.Error(), ".tmp") {
		t.Fatalf("err = %q, want it to name %s and no temporary file", err, FileName(7))
	}
}

// TestPruneKeepsLoadable: the case. With the newest file corrupt,
// a resumed run saves; pruning must keep the newest loadable checkpoints,
// never count the corrupt one, and lose nothing (it is moved aside).
func TestPruneKeepsLoadable(t *testing.T) {
	dir := t.TempDir()
	d := quietDir(t, dir, 2)
	for _, step := range []int64{3, 5, 9} {
		if _, err := d.Save(newStore(t, float32(step)), step, nil); err != nil {
			t.Fatal(err)
		}
	}
	corrupt := filepath.Join(dir, FileName(9))
	st, _ := os.Stat(corrupt)
	if err := os.Truncate(corrupt, st.Size()-3); err != nil {
		t.Fatal(err)
	}
	// A fresh process resumes (a new Dir: nothing cached), from step 5.
	d = quietDir(t, dir, 2)
	info, err := d.Load(model.NewStore(), nil)
	if err != nil || info.Step != 5 {
		t.Fatalf("load: %+v %v", info, err)
	}
	if _, err := d.Save(newStore(t, 6), 6, nil); err != nil {
		t.Fatal(err)
	}
	files, _ := d.List()
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if want := []string{FileName(6), FileName(5)}; strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("checkpoints after the save: %v, want %v", names, want)
	}
	if _, err := os.Stat(corrupt + CorruptSuffix); err != nil {
		t.Errorf("the corrupt file was not kept aside: %v", err)
	}
	// The next save prunes the oldest loadable one.
	if _, err := d.Save(newStore(t, 7), 7, nil); err != nil {
		t.Fatal(err)
	}
	if files, _ := d.List(); len(files) != 2 || filepath.Base(files[1]) != FileName(6) {
		t.Errorf("after a second save: %v", files)
	}
}

// TestPruneVerifiesUnseenFiles: a file this Dir did not write or read is
// checked completely (here a flipped byte in the data) before it is kept.
func TestPruneVerifiesUnseenFiles(t *testing.T) {
	dir := t.TempDir()
	d := quietDir(t, dir, 1)
	if _, err := d.Save(newStore(t, 1), 1, nil); err != nil {
		t.Fatal(err)
	}
	// Another file appears, corrupt (say, copied in by hand), newer than ours.
	src, _ := os.ReadFile(filepath.Join(dir, FileName(1)))
	src[len(src)-1] ^= 0xff
	if err := os.WriteFile(filepath.Join(dir, FileName(8)), src, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Save(newStore(t, 2), 2, nil); err != nil {
		t.Fatal(err)
	}
	files, _ := d.List()
	if len(files) != 1 || filepath.Base(files[0]) != FileName(2) {
		t.Fatalf("files = %v, want only %s", files, FileName(2))
	}
}

func TestNewestSkipsUnreadable(t *testing.T) {
	dir := t.TempDir()
	d := quietDir(t, dir, 5)
	if path, h, err := d.Newest(); path != "" || h != nil || err != nil {
		t.Fatalf("empty dir: %q %v %v", path, h, err)
	}
	saveThree(t, d)
	os.WriteFile(filepath.Join(dir, FileName(9)), []byte("junk"), 0o644)
	path, h, err := d.Newest()
	if err != nil || h.Step != 3 || filepath.Base(path) != FileName(3) {
		t.Fatalf("got %q %+v %v, want step 3", path, h, err)
	}
	other := Identity{Model: "other"}
	od, _ := Open(dir, other, 0)
	var me *MismatchError
	if _, _, err := od.Newest(); !errors.As(err, &me) {
		t.Fatalf("another model's directory: %v", err)
	}
}
