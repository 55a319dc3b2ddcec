package atomicfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestWriteCreatesAndReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.png")
	for _, content := range []string{"first", "second, longer"} {
		if err := Write(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("read %q, %v; want %q", got, err, content)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	noTemps(t, filepath.Dir(path), "a.png")
}

// A write that fails midway (a full disk, a killed encoder) leaves the old
// file whole and no temporary file, and its error names the target.
func TestFailedWriteKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt-7.ckpt")
	if err := Write(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("no space left on device")
	var tempName string
	err := WriteWith(path, 0o644, func(f *os.File) error {
		tempName = f.Name()
		if m, _ := filepath.Glob(tempGlob(dir, "ckpt-*.ckpt")); len(m) != 1 || m[0] != tempName {
			t.Errorf("tempGlob matches %v, want the temporary file %s", m, tempName)
		}
		f.Write([]byte("half of the new"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want %v", err, boom)
	}
	if !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), filepath.Base(tempName)) {
		t.Errorf("error %q should name %s and not the temporary file", err, path)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("after the failed write the file holds %q, want %q", got, "old")
	}
	noTemps(t, dir, "ckpt-7.ckpt")
}

func TestMissingDirectoryNamesTheTarget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "x.json")
	err := Write(path, []byte("{}"), 0o644)
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("error %v, want one naming %s and wrapping os.ErrNotExist", err, path)
	}
}

// Two writers of the same file each write whole contents: a reader always
// finds one of them complete, never a mix (with one fixed temporary name, as
// the plots used, the writers wrote into the same temporary file).
func TestConcurrentWritersNeverMix(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "live.png")
	contents := [][]byte{bytes.Repeat([]byte("A"), 1<<16), bytes.Repeat([]byte("B"), 1<<17)}
	if err := Write(path, contents[0], 0o644); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range contents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if err := WriteWith(path, 0o644, func(f *os.File) error {
					// Two halves, so that the writers interleave inside a write.
					c := contents[w]
					if _, err := f.Write(c[:len(c)/2]); err != nil {
						return err
					}
					_, err := f.Write(c[len(c)/2:])
					return err
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	reads := make(chan error, 1)
	go func() {
		defer close(reads)
		for {
			select {
			case <-stop:
				return
			default:
			}
			got, err := os.ReadFile(path)
			if err != nil {
				reads <- err
				return
			}
			if !bytes.Equal(got, contents[0]) && !bytes.Equal(got, contents[1]) {
				reads <- errors.New("a reader saw a file that is neither writer's whole content")
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	if err := <-reads; err != nil {
		t.Fatal(err)
	}
	noTemps(t, dir, "live.png")
}

func noTemps(t *testing.T, dir, name string) {
	t.Helper()
	if m, _ := filepath.Glob(tempGlob(dir, name)); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), tempSuffix) {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}
