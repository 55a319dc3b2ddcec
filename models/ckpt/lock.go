package ckpt

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LockFile is the file in a run directory that a writer holds an OS lock on
// (flock) for as long as it runs; it also records who the holder is.
const LockFile = ".lock"

// Holder says which process holds a run directory's lock.
type Holder struct {
	// PID is the holder's process id.
	PID int `json:"pid"`
	// Host is the machine it runs on.
	Host string `json:"host"`
	// Command is its command line.
	Command string `json:"command"`
	// Start is when it took the lock.
	Start time.Time `json:"start"`
}

func (h Holder) String() string {
	if h.PID == 0 {
		return "another process (it has not written its name yet)"
	}
	s := fmt.Sprintf("pid %d on %s, since %s: %s", h.PID, h.Host, h.Start.Local().Format(time.DateTime), h.Command)
	if h.PID == os.Getpid() {
		s += " (this process)"
	}
	return s
}

// LockedError is returned by OpenWriter and CheckWriter for a directory
// another writer holds.
type LockedError struct {
	// Path is the directory.
	Path string
	// Holder is who holds it.
	Holder Holder
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("ckpt: %s is in use by another training run (%s); wait for it, stop it, or use another directory",
		e.Path, e.Holder)
}

// errLocked is what tryLock returns when another open file holds the lock.
var errLocked = errors.New("locked")

// OpenWriter is Open for the one process that trains into path: it checks
// that the directory is writable (a probe file is created and removed), takes
// the directory's lock (an OS file lock on LockFile, released by Close and by
// the OS when the process exits or crashes), records the holder in LockFile,
// and removes the temporary files of saves that died. A second writer gets a
// *LockedError naming the holder. Readers (sampling, playing, exporting) use
// Open and need no lock.
func OpenWriter(path string, id Identity, keep int) (*Dir, error) {
	d, err := Open(path, id, keep)
	if err != nil {
		return nil, err
	}
	if err := checkWritable(path); err != nil {
		return nil, err
	}
	f, err := lockDir(path)
	if err != nil {
		return nil, err
	}
	d.lock = f
	h := Holder{PID: os.Getpid(), Command: strings.Join(os.Args, " "), Start: time.Now()}
	h.Host, _ = os.Hostname()
	b, _ := json.Marshal(h)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	d.removeTemps(0)
	return d, nil
}

// Close releases the directory's lock if this Dir holds it (OpenWriter).
// The Dir stays usable for reading.
func (d *Dir) Close() error {
	if d.lock == nil {
		return nil
	}
	err := d.lock.Close() // closing the descriptor releases the flock
	d.lock = nil
	return err
}

// CheckWriter reports whether OpenWriter would succeed on path now: the
// directory can be created and written, and no other process holds its lock.
// Commands call it before any slow work (building a model, training a
// classifier), so a mistake is reported at once.
func CheckWriter(path string) error {
	if path == "" {
		return errors.New("ckpt: empty checkpoint directory")
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return fmt.Errorf("ckpt: creating checkpoint directory: %w", err)
	}
	if err := checkWritable(path); err != nil {
		return err
	}
	f, err := lockDir(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// checkWritable creates and removes a probe file in dir.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, tmpPattern)
	if err == nil {
		name := f.Name()
		err = f.Close()
		if e := os.Remove(name); err == nil {
			err = e
		}
	}
	if err != nil {
		if cause := errors.Unwrap(err); cause != nil {
			err = cause // "permission denied", without the probe file's name
		}
		return fmt.Errorf("ckpt: checkpoint directory %s is not writable (%v); choose a writable one", dir, err)
	}
	return nil
}

// lockDir opens dir's LockFile and takes its lock without waiting.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("ckpt: opening the lock file: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if !errors.Is(err, errLocked) {
			return nil, fmt.Errorf("ckpt: locking %s: %w", path, err)
		}
		var h Holder
		if b, e := os.ReadFile(path); e == nil {
			_ = json.Unmarshal(b, &h)
		}
		return nil, &LockedError{Path: dir, Holder: h}
	}
	return f, nil
}
