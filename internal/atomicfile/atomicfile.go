// Package atomicfile creates or replaces files crash-safely. The content goes
// to a temporary file of its own in the target's directory, which is synced
// and renamed over the target, and the directory is synced: a reader (the
// notebook's browser, a second process, the next run) sees the old file or
// the new one, never part of one; a failed or interrupted write leaves the
// old file as it was; and two writers of the same file never write into each
// other's temporary file (the last rename wins, whole).
//
// Checkpoints, the replay memory, safetensors exports, the live and shown
// plots, the studies' tables and the kernel's installed spec all write
// through it.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Write creates or replaces path with data, with permissions perm.
func Write(path string, data []byte, perm os.FileMode) error {
	return WriteWith(path, perm, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// WriteWith creates or replaces path with what fill writes to f, a new
// temporary file in path's directory (fill may Write, Seek or WriteAt; it
// must not close f). The file is synced, given permissions perm, renamed to
// path, and the directory synced. On any error path is left as it was and the
// temporary file is removed; the error names path, never the temporary file
// (a full disk reads "writing runs/x.ckpt: no space left on device").
func WriteWith(path string, perm os.FileMode, fill func(f *os.File) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("writing %s: %w", path, unwrapPath(err))
		}
	}()
	tmp, err := os.CreateTemp(dir, "."+base+".*"+tempSuffix)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, e := os.Open(dir); e == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// tempSuffix ends every temporary file's name.
const tempSuffix = ".tmp"

// tempGlob is the filepath.Glob pattern of the temporary files that writes of
// the files matching name (a file name or a Glob pattern of one) in dir
// create; a process killed during a write leaves its temporary file behind,
// and a directory's owner may remove those it knows to be stale.
func tempGlob(dir, name string) string {
	return filepath.Join(dir, "."+name+".*"+tempSuffix)
}

// unwrapPath drops the path (the temporary file's) from an *os.PathError or
// *os.LinkError, keeping the cause, e.g. "permission denied".
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
