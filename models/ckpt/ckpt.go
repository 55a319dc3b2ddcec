package ckpt

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/arcade-go/arcade/internal/atomicfile"
)

// Magic starts every checkpoint file.
const Magic = "ARCKPT01"

// Ext is the extension of checkpoint files.
const Ext = ".ckpt"

// DefaultKeep is how many checkpoints Open keeps when given keep <= 0.
const DefaultKeep = 3

// prefix starts every checkpoint file name; the rest is the zero-padded step.
const prefix = "ckpt-"

// tmpPattern names the probe file that checks a directory is writable, and
// is the pattern of the temporary files of saves (atomicfile's for the
// checkpoint names: ".ckpt-0000000042.ckpt.123456.tmp").
const tmpPattern = ".ckpt-*.tmp"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrNoCheckpoint is returned (wrapped) by Dir.Load when the directory holds no
// checkpoint: the caller starts fresh.
var ErrNoCheckpoint = errors.New("no checkpoint")

// Identity says which model a checkpoint belongs to: its name and the
// hyperparameters that fix the variables' shapes. Two identities match when
// Model is equal and Params are equal after a JSON round trip.
type Identity struct {
	// Model names the model, e.g. "dcgan" or "dqn".
	Model string `json:"model"`
	// Params holds the shape-defining hyperparameters (filters, latent size...).
	Params map[string]any `json:"params,omitempty"`
}

// TensorInfo describes one tensor stored in a checkpoint file.
type TensorInfo struct {
	// Name is the variable's full path in the store, e.g. "/generator/pipe/0/weights".
	Name string `json:"name"`
	// DType is the GoMLX dtype name, e.g. "Float32".
	DType string `json:"dtype"`
	// Shape is the list of dimensions.
	Shape []int `json:"shape"`
	// Offset is the position of the first byte within the data section.
	Offset int64 `json:"offset"`
	// Length is the number of bytes.
	Length int64 `json:"length"`
	// CRC is the CRC-32C (Castagnoli) of the bytes.
	CRC uint32 `json:"crc32c"`
	// Trainable is the variable's trainable flag when it was saved.
	Trainable bool `json:"trainable"`
}

// Header is the JSON header of a checkpoint file.
type Header struct {
	// Identity of the model that wrote the file.
	Identity Identity `json:"identity"`
	// Step is the training step (number of completed updates) at save time.
	Step int64 `json:"step"`
	// Time is when the file was written (RFC 3339).
	Time string `json:"time"`
	// Extra is the caller's own state (RNG, loss history...), any JSON value.
	Extra json.RawMessage `json:"extra,omitempty"`
	// Tensors lists the stored tensors in data order.
	Tensors []TensorInfo `json:"tensors"`
}

// Info describes a checkpoint that Dir.Load restored.
type Info struct {
	// Path is the file that was loaded.
	Path string
	// Step is the step saved in it.
	Step int64
	// Skipped lists newer files that were truncated or corrupt, with the reason.
	Skipped []error
}

// CorruptError reports a truncated or corrupt checkpoint file.
type CorruptError struct {
	// Path is the file.
	Path string
	// Reason says what is wrong, e.g. "truncated: 1000 bytes, header announces 2048".
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("checkpoint %s is unreadable: %s", e.Path, e.Reason)
}

// MismatchError reports a checkpoint that belongs to another model or whose
// tensors do not fit the store.
type MismatchError struct {
	// Path is the file.
	Path string
	// Problems lists every mismatch found.
	Problems []string
}

func (e *MismatchError) Error() string {
	const maxShown = 8
	p := e.Problems
	more := ""
	if len(p) > maxShown {
		more = fmt.Sprintf("; and %d more", len(p)-maxShown)
		p = p[:maxShown]
	}
	return fmt.Sprintf("checkpoint %s does not fit this model: %s%s", e.Path, strings.Join(p, "; "), more)
}

// Dir is a directory of checkpoints of one model.
type Dir struct {
	path string
	id   Identity
	keep int
	// Log receives warnings (a skipped corrupt file). Defaults to stderr.
	Log func(format string, args ...any)
	// lock is the locked LockFile of a writer (OpenWriter), else nil.
	lock *os.File
	// verified holds files known to be complete and intact (written or
	// read by this Dir), so pruning reads each file at most once.
	verified map[string]stamp
}

// stamp identifies one version of a file.
type stamp struct {
	size int64
	mod  time.Time
}

func stampOf(path string) (stamp, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return stamp{}, false
	}
	return stamp{st.Size(), st.ModTime()}, true
}

// Open returns the checkpoint directory at path for the model id, creating the
// directory if needed, for reading (and for writing by a caller that needs no
// lock, e.g. a cache; a training run uses OpenWriter). Save keeps the newest
// keep loadable files (DefaultKeep if keep <= 0).
func Open(path string, id Identity, keep int) (*Dir, error) {
	if path == "" {
		return nil, errors.New("ckpt: empty checkpoint directory")
	}
	if id.Model == "" {
		return nil, errors.New("ckpt: Identity.Model is empty")
	}
	if keep <= 0 {
		keep = DefaultKeep
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("ckpt: creating checkpoint directory: %w", err)
	}
	// Normalise Params through JSON so comparisons with loaded headers are exact.
	norm, err := normaliseParams(id.Params)
	if err != nil {
		return nil, fmt.Errorf("ckpt: Identity.Params: %w", err)
	}
	id.Params = norm
	d := &Dir{path: path, id: id, keep: keep, Log: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) },
		verified: map[string]stamp{}}
	d.removeTemps(time.Hour) // without the lock, only those of saves that surely died
	return d, nil
}

// Path returns the directory.
func (d *Dir) Path() string { return d.path }

// Identity returns the identity checkpoints are written and checked with.
func (d *Dir) Identity() Identity { return d.id }

func normaliseParams(p map[string]any) (map[string]any, error) {
	if len(p) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// removeTemps deletes the temporary files of saves older than age: all of
// them (age 0) once the directory's lock is taken, since no other writer can
// be saving then; else those of saves that died more than age ago.
func (d *Dir) removeTemps(age time.Duration) {
	matches, _ := filepath.Glob(filepath.Join(d.path, tmpPattern))
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && time.Since(st.ModTime()) >= age {
			_ = os.Remove(m)
		}
	}
}

// List returns the checkpoint files, newest (highest step) first.
func (d *Dir) List() ([]string, error) {
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return nil, fmt.Errorf("ckpt: listing %s: %w", d.path, err)
	}
	type f struct {
		name string
		step int64
	}
	var fs []f
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, prefix) || !strings.HasSuffix(n, Ext) {
			continue
		}
		s, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(n, prefix), Ext), 10, 64)
		if err != nil {
			continue
		}
		fs = append(fs, f{n, s})
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].step > fs[j].step })
	out := make([]string, len(fs))
	for i, x := range fs {
		out[i] = filepath.Join(d.path, x.name)
	}
	return out, nil
}

// FileName returns the file name Save uses for a step.
func FileName(step int64) string { return fmt.Sprintf("%s%010d%s", prefix, step, Ext) }

// Save writes every variable of store with a value, the step and extra (any
// value encoding to JSON; nil for none) to a new checkpoint, atomically, and
// then prunes: it keeps the newest keep loadable checkpoints, deletes older
// ones and moves unreadable ones aside (see prune). It returns the file written.
func (d *Dir) Save(store *model.Store, step int64, extra any) (string, error) {
	h := Header{Identity: d.id, Step: step, Time: time.Now().UTC().Format(time.RFC3339)}
	if extra != nil {
		b, err := json.Marshal(extra)
		if err != nil {
			return "", fmt.Errorf("ckpt: encoding extra state: %w", err)
		}
		h.Extra = b
	}
	var datas [][]byte
	var offset int64
	for v := range store.IterVariables() {
		if !v.HasValue() {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return "", fmt.Errorf("ckpt: reading variable %s: %w", v.Path(), err)
		}
		var data []byte
		if err := t.ConstBytes(func(b []byte) { data = bytes.Clone(b) }); err != nil {
			return "", fmt.Errorf("ckpt: reading variable %s: %w", v.Path(), err)
		}
		sh := t.Shape()
		h.Tensors = append(h.Tensors, TensorInfo{
			Name: v.Path(), DType: sh.DType.String(), Shape: append([]int{}, sh.Dimensions...),
			Offset: offset, Length: int64(len(data)), CRC: crc32.Checksum(data, castagnoli), Trainable: v.Trainable,
		})
		datas = append(datas, data)
		offset += int64(len(data))
	}
	final := filepath.Join(d.path, FileName(step))
	if err := writeAtomic(final, func(w io.Writer) error { return encode(w, &h, datas) }); err != nil {
		return "", fmt.Errorf("ckpt: %w", err)
	}
	if s, ok := stampOf(final); ok {
		d.verified[final] = s
	}
	if err := d.prune(); err != nil {
		d.Log("ckpt: %v", err)
	}
	return final, nil
}

// encode writes the file format described in the package documentation.
func encode(w io.Writer, h *Header, datas [][]byte) error {
	hb, err := json.Marshal(h)
	if err != nil {
		return err
	}
	var pre [8 + 8 + 4]byte
	copy(pre[:8], Magic)
	binary.LittleEndian.PutUint64(pre[8:], uint64(len(hb)))
	binary.LittleEndian.PutUint32(pre[16:], crc32.Checksum(hb, castagnoli))
	if _, err := w.Write(pre[:]); err != nil {
		return err
	}
	if _, err := w.Write(hb); err != nil {
		return err
	}
	for _, b := range datas {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// writeAtomic writes path through atomicfile, with a 1 MiB buffer.
func writeAtomic(path string, fill func(io.Writer) error) error {
	return atomicfile.WriteWith(path, 0o644, func(f *os.File) error {
		bw := bufio.NewWriterSize(f, 1<<20)
		if err := fill(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// CorruptSuffix is appended to the name of an unreadable checkpoint that
// pruning moves aside: it is kept for inspection but no longer listed.
const CorruptSuffix = ".corrupt"

// prune keeps the newest keep loadable checkpoints and deletes the older
// loadable ones. An unreadable file is never counted among the kept: a
// truncated or corrupt one is renamed to name+CorruptSuffix (out of the
// listing, nothing lost); one that cannot be read at all (permissions) is
// left alone. So a corrupt newest file never costs a good checkpoint.
func (d *Dir) prune() error {
	files, err := d.List()
	if err != nil {
		return err
	}
	var errs []error
	kept := 0
	for _, f := range files {
		if err := d.verify(f); err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				d.Log("ckpt: not pruning %s: %v", f, err)
				continue
			}
			if e := os.Rename(f, f+CorruptSuffix); e != nil {
				errs = append(errs, fmt.Errorf("moving aside an unreadable checkpoint: %w", e))
				continue
			}
			d.Log("ckpt: moved aside %v (now %s)", err, filepath.Base(f+CorruptSuffix))
			continue
		}
		if kept < d.keep {
			kept++
			continue
		}
		if err := os.Remove(f); err != nil {
			errs = append(errs, fmt.Errorf("removing old checkpoint: %w", err))
		}
		delete(d.verified, f)
	}
	return errors.Join(errs...)
}

// verify checks a checkpoint file completely (size, header, every tensor's
// checksum) without keeping its tensors; files this Dir wrote or read
// already, unchanged since, are not read again.
func (d *Dir) verify(path string) error {
	s, ok := stampOf(path)
	if ok && d.verified[path] == s {
		return nil
	}
	if err := Verify(path); err != nil {
		return err
	}
	if ok {
		d.verified[path] = s
	}
	return nil
}

// Verify reads a checkpoint file and checks its size, header and every
// tensor's checksum, without keeping the tensors. A truncated or corrupt file
// gives a *CorruptError.
func Verify(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h, _, err := readHeader(f, path)
	if err != nil {
		return err
	}
	r := bufio.NewReaderSize(f, 1<<20)
	for _, ti := range h.Tensors {
		c := crc32.New(castagnoli)
		if _, err := io.CopyN(c, r, ti.Length); err != nil {
			return &CorruptError{path, fmt.Sprintf("reading tensor %s: %v", ti.Name, err)}
		}
		if c.Sum32() != ti.CRC {
			return &CorruptError{path, fmt.Sprintf("checksum mismatch in tensor %s", ti.Name)}
		}
	}
	return nil
}

// ReadHeader reads and checks the header of a checkpoint file, and checks its
// size against the header (a truncated file is reported), without reading the
// tensors.
func ReadHeader(path string) (*Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, _, err := readHeader(f, path)
	return h, err
}

// readHeader returns the header and the offset of the data section.
func readHeader(f *os.File, path string) (*Header, int64, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	size := st.Size()
	var pre [20]byte
	if _, err := io.ReadFull(f, pre[:]); err != nil {
		return nil, 0, &CorruptError{path, fmt.Sprintf("truncated: %d bytes, shorter than the 20-byte preamble", size)}
	}
	if string(pre[:8]) != Magic {
		return nil, 0, &CorruptError{path, fmt.Sprintf("not an arcade checkpoint (starts with %q, want %q)", pre[:8], Magic)}
	}
	hlen := binary.LittleEndian.Uint64(pre[8:])
	if hlen > uint64(size) || hlen > 1<<30 {
		return nil, 0, &CorruptError{path, fmt.Sprintf("truncated or corrupt: header length %d, file has %d bytes", hlen, size)}
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(f, hb); err != nil {
		return nil, 0, &CorruptError{path, fmt.Sprintf("truncated in the header: %d bytes, header announces %d", size, 20+hlen)}
	}
	if c := crc32.Checksum(hb, castagnoli); c != binary.LittleEndian.Uint32(pre[16:]) {
		return nil, 0, &CorruptError{path, "header checksum mismatch"}
	}
	var h Header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, 0, &CorruptError{path, fmt.Sprintf("header is not valid JSON: %v", err)}
	}
	dataStart := int64(20 + hlen)
	var want int64
	for _, t := range h.Tensors {
		if t.Offset != want || t.Length < 0 {
			return nil, 0, &CorruptError{path, fmt.Sprintf("tensor %s has offset %d, want %d", t.Name, t.Offset, want)}
		}
		want += t.Length
	}
	if size != dataStart+want {
		kind := "truncated"
		if size > dataStart+want {
			kind = "corrupt (trailing bytes)"
		}
		return nil, 0, &CorruptError{path, fmt.Sprintf("%s: %d bytes, header announces %d", kind, size, dataStart+want)}
	}
	return &h, dataStart, nil
}

// File is a fully read and verified checkpoint.
type File struct {
	// Path is the file read.
	Path string
	// Header is its header.
	Header Header
	// Tensors maps each variable's full path to its value.
	Tensors map[string]*tensors.Tensor
}

// ReadFile reads and verifies (size, checksums, dtypes) a checkpoint file.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, _, err := readHeader(f, path)
	if err != nil {
		return nil, err
	}
	out := &File{Path: path, Header: *h, Tensors: make(map[string]*tensors.Tensor, len(h.Tensors))}
	r := bufio.NewReaderSize(f, 1<<20)
	for _, ti := range h.Tensors {
		dt, ok := dtypes.MapOfNames[ti.DType]
		if !ok {
			return nil, &CorruptError{path, fmt.Sprintf("tensor %s has unknown dtype %q", ti.Name, ti.DType)}
		}
		sh := shapes.Make(dt, ti.Shape...)
		if int64(sh.ByteSize()) != ti.Length {
			return nil, &CorruptError{path, fmt.Sprintf("tensor %s: %s needs %d bytes, header says %d", ti.Name, sh, sh.ByteSize(), ti.Length)}
		}
		t := tensors.FromShape(sh)
		var rerr error
		if err := t.MutableBytes(func(b []byte) {
			if _, rerr = io.ReadFull(r, b); rerr != nil {
				return
			}
			if c := crc32.Checksum(b, castagnoli); c != ti.CRC {
				rerr = &CorruptError{path, fmt.Sprintf("checksum mismatch in tensor %s", ti.Name)}
			}
		}); err != nil {
			return nil, err
		}
		if rerr != nil {
			var ce *CorruptError
			if errors.As(rerr, &ce) {
				return nil, rerr
			}
			return nil, &CorruptError{path, fmt.Sprintf("reading tensor %s: %v", ti.Name, rerr)}
		}
		out.Tensors[ti.Name] = t
	}
	return out, nil
}

// checkIdentity compares a file's identity with want and lists the differences.
func checkIdentity(got, want Identity) []string {
	var p []string
	if got.Model != want.Model {
		p = append(p, fmt.Sprintf("model is %q, want %q", got.Model, want.Model))
		return p
	}
	keys := map[string]bool{}
	for k := range got.Params {
		keys[k] = true
	}
	for k := range want.Params {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		g, gok := got.Params[k]
		w, wok := want.Params[k]
		switch {
		case !gok:
			p = append(p, fmt.Sprintf("hyperparameter %s missing in checkpoint (want %v)", k, w))
		case !wok:
			p = append(p, fmt.Sprintf("checkpoint has hyperparameter %s=%v this model does not", k, g))
		case !reflect.DeepEqual(g, w):
			p = append(p, fmt.Sprintf("hyperparameter %s is %v in checkpoint, %v in this model", k, g, w))
		}
	}
	return p
}

// Restore verifies f against the identity and the store's existing variables
// and, if everything fits, sets the store's variables to f's values (creating
// those the store does not have yet). On a mismatch nothing is changed.
func Restore(f *File, id Identity, store *model.Store) error {
	id.Params, _ = normaliseParams(id.Params)
	problems := checkIdentity(f.Header.Identity, id)
	if len(problems) > 0 {
		return &MismatchError{f.Path, problems}
	}
	inFile := map[string]bool{}
	for _, ti := range f.Header.Tensors {
		inFile[ti.Name] = true
		v := store.GetVariable(ti.Name)
		if v == nil {
			continue
		}
		got := f.Tensors[ti.Name].Shape()
		if want := v.Shape(); !got.Equal(want) {
			problems = append(problems, fmt.Sprintf("variable %s is %s in checkpoint, %s in the model", ti.Name, got, want))
		}
	}
	for v := range store.IterVariables() {
		if !inFile[v.Path()] && v.Trainable {
			problems = append(problems, fmt.Sprintf("variable %s (%s) is missing from checkpoint", v.Path(), v.Shape()))
		}
	}
	if len(problems) > 0 {
		return &MismatchError{f.Path, problems}
	}
	for _, ti := range f.Header.Tensors {
		t := f.Tensors[ti.Name]
		if v := store.GetVariable(ti.Name); v != nil {
			if err := v.SetValue(t); err != nil {
				return fmt.Errorf("ckpt: setting %s from %s: %w", ti.Name, f.Path, err)
			}
			v.Trainable = ti.Trainable
			continue
		}
		v, err := store.CreateVariable(ti.Name, t)
		if err != nil {
			return fmt.Errorf("ckpt: creating %s from %s: %w", ti.Name, f.Path, err)
		}
		v.Trainable = ti.Trainable
	}
	return nil
}

// Load restores the newest valid checkpoint into store and decodes its extra
// state into extra (a pointer; nil to ignore it). Truncated or corrupt files
// are skipped (reported on Log and in Info.Skipped) and left on disk; an
// identity or shape mismatch is returned as a *MismatchError. With no
// checkpoint at all it returns an error wrapping ErrNoCheckpoint.
func (d *Dir) Load(store *model.Store, extra any) (Info, error) {
	files, err := d.List()
	if err != nil {
		return Info{}, err
	}
	if len(files) == 0 {
		return Info{}, fmt.Errorf("ckpt: %s: %w", d.path, ErrNoCheckpoint)
	}
	var info Info
	for _, path := range files {
		f, err := ReadFile(path)
		if err != nil {
			var ce *CorruptError
			if errors.As(err, &ce) {
				d.Log("ckpt: skipping %v", err)
				info.Skipped = append(info.Skipped, err)
				continue
			}
			return info, fmt.Errorf("ckpt: reading %s: %w", path, err)
		}
		if err := Restore(f, d.id, store); err != nil {
			return info, err
		}
		if extra != nil && len(f.Header.Extra) > 0 {
			if err := json.Unmarshal(f.Header.Extra, extra); err != nil {
				return info, fmt.Errorf("ckpt: decoding the extra state of %s: %w", path, err)
			}
		}
		info.Path, info.Step = path, f.Header.Step
		if s, ok := stampOf(path); ok {
			d.verified[path] = s
		}
		return info, nil
	}
	return info, fmt.Errorf("ckpt: every checkpoint in %s is unreadable (%v)", d.path, errors.Join(info.Skipped...))
}

// Newest returns the newest checkpoint that verifies completely, its path
// and header ("" and nil when there is none), and checks that it belongs to
// d's model: a *MismatchError if not. Unreadable files are skipped.
func (d *Dir) Newest() (string, *Header, error) {
	files, err := d.List()
	if err != nil {
		return "", nil, err
	}
	for _, f := range files {
		if d.verify(f) != nil {
			continue
		}
		h, err := ReadHeader(f)
		if err != nil {
			continue
		}
		if p := checkIdentity(h.Identity, d.id); len(p) > 0 {
			return f, h, &MismatchError{f, p}
		}
		return f, h, nil
	}
	return "", nil, nil
}
