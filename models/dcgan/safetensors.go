package dcgan

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/arcade-go/arcade/internal/atomicfile"
)

// The safetensors format (https://github.com/huggingface/safetensors): an
// 8-byte little-endian header length, a JSON header
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
// (offsets relative to the end of the header), then the raw little-endian data.

var safetensorsDTypes = map[dtypes.DType]string{
	dtypes.Float32: "F32", dtypes.Float64: "F64", dtypes.Int64: "I64", dtypes.Int32: "I32",
	dtypes.Uint8: "U8", dtypes.Float16: "F16", dtypes.BFloat16: "BF16",
}

type safetensorsEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// WriteSafetensors writes the named tensors to path in the safetensors
// format, atomically, in sorted name order.
func WriteSafetensors(path string, ts map[string]*tensors.Tensor) error {
	specs := make([]TensorSpec, 0, len(ts))
	for n, t := range ts {
		specs = append(specs, TensorSpec{Name: n, Shape: t.Shape()})
	}
	return WriteSafetensorsStream(path, specs, func(put func(string, *tensors.Tensor) error) error {
		for n, t := range ts {
			if err := put(n, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// TensorSpec names a tensor of a safetensors file and gives its shape.
type TensorSpec struct {
	// Name is the tensor's key in the file.
	Name string
	// Shape is its dtype and dimensions.
	Shape shapes.Shape
}

// WriteSafetensorsStream writes a safetensors file whose tensors' shapes are
// known up front but whose data comes in pieces, so that the file may be
// larger than memory (arcade sample -n 100000). fill calls put(name, piece)
// with consecutive pieces of each named tensor, in order; a piece's bytes
// follow the previous piece's (for a batch of rows: the next rows). The file
// is written atomically (tensors in sorted name order, as WriteSafetensors),
// and only if every tensor was filled exactly.
func WriteSafetensorsStream(path string, specs []TensorSpec, fill func(put func(name string, piece *tensors.Tensor) error) error) error {
	specs = slices.Clone(specs)
	sort.Slice(specs, func(i, j int) bool { return specs[i].Name < specs[j].Name })
	header := map[string]safetensorsEntry{}
	type slot struct {
		dtype            dtypes.DType
		start, size, put int64
	}
	slots := map[string]*slot{}
	var off int64
	for _, sp := range specs {
		dt, ok := safetensorsDTypes[sp.Shape.DType]
		if !ok {
			return fmt.Errorf("safetensors: tensor %s has unsupported dtype %s", sp.Name, sp.Shape.DType)
		}
		if _, dup := slots[sp.Name]; dup {
			return fmt.Errorf("safetensors: tensor %s given twice", sp.Name)
		}
		size := int64(sp.Shape.ByteSize())
		header[sp.Name] = safetensorsEntry{DType: dt, Shape: slices.Clone(sp.Shape.Dimensions), DataOffsets: [2]int64{off, off + size}}
		slots[sp.Name] = &slot{dtype: sp.Shape.DType, start: off, size: size}
		off += size
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(hb)%8 != 0 {
		hb = append(hb, ' ')
	}
	dataStart := int64(8 + len(hb))
	return atomicfile.WriteWith(path, 0o644, func(f *os.File) error {
		pre := binary.LittleEndian.AppendUint64(nil, uint64(len(hb)))
		if _, err := f.Write(append(pre, hb...)); err != nil {
			return err
		}
		put := func(name string, t *tensors.Tensor) error {
			s, ok := slots[name]
			if !ok {
				return fmt.Errorf("safetensors: no tensor %s in the file", name)
			}
			if t.DType() != s.dtype {
				return fmt.Errorf("safetensors: tensor %s is %s, piece is %s", name, s.dtype, t.DType())
			}
			var werr error
			if err := t.ConstBytes(func(b []byte) {
				if s.put+int64(len(b)) > s.size {
					werr = fmt.Errorf("safetensors: tensor %s: pieces exceed its %d bytes", name, s.size)
					return
				}
				_, werr = f.WriteAt(b, dataStart+s.start+s.put)
				s.put += int64(len(b))
			}); err != nil {
				return fmt.Errorf("safetensors: tensor %s: %w", name, err)
			}
			return werr
		}
		if err := fill(put); err != nil {
			return err
		}
		for _, sp := range specs {
			if s := slots[sp.Name]; s.put != s.size {
				return fmt.Errorf("safetensors: tensor %s got %d of its %d bytes", sp.Name, s.put, s.size)
			}
		}
		return nil
	})
}

// maxSafetensorsHeader bounds the JSON header, as the reference
// implementation does (100 MB).
const maxSafetensorsHeader = 100 << 20

// ReadSafetensors reads every tensor of a safetensors file. The header is
// checked fully before anything is allocated: every dtype known, every
// dimension non-negative, and the tensors' data_offsets cover the data
// exactly, without gaps, overlaps or trailing bytes. Errors name the file and
// the tensor, and say what is wrong; no input makes it panic.
func ReadSafetensors(path string) (map[string]*tensors.Tensor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out, err := parseSafetensors(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// safetensorsSpan is one tensor's place in the data section.
type safetensorsSpan struct {
	name       string
	begin, end int64
}

func parseSafetensors(data []byte) (map[string]*tensors.Tensor, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("not a safetensors file (%d bytes, shorter than the 8-byte header length)", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > maxSafetensorsHeader {
		return nil, fmt.Errorf("not a safetensors file (header length %d, over the 100 MB limit)", n)
	}
	if n > uint64(len(data)-8) {
		return nil, fmt.Errorf("truncated or not a safetensors file (header of %d bytes, file of %d)", n, len(data))
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+n], &header); err != nil {
		return nil, fmt.Errorf("bad safetensors header: %v", err)
	}
	body := data[8+n:]
	names := make([]string, 0, len(header))
	for name := range header {
		if name != "__metadata__" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	entries := make(map[string]safetensorsEntry, len(names))
	spans := make([]safetensorsSpan, 0, len(names))
	for _, name := range names {
		e, err := checkEntry(header[name], int64(len(body)))
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %w", name, err)
		}
		entries[name] = e
		spans = append(spans, safetensorsSpan{name, e.DataOffsets[0], e.DataOffsets[1]})
	}
	// The spans must tile [0, len(body)): no gap, no overlap, nothing after.
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].end < spans[j].end
	})
	var pos int64
	prev := "the start of the data"
	for _, s := range spans {
		switch {
		case s.begin > pos:
			return nil, fmt.Errorf("tensor %s: data starts at %d, leaving a gap of %d bytes after %s", s.name, s.begin, s.begin-pos, prev)
		case s.begin < pos:
			return nil, fmt.Errorf("tensor %s: data [%d,%d) overlaps %s (which ends at %d)", s.name, s.begin, s.end, prev, pos)
		}
		pos, prev = s.end, "tensor "+s.name
	}
	if pos != int64(len(body)) {
		return nil, fmt.Errorf("%d bytes of trailing data after %s (the tensors cover %d of %d)", int64(len(body))-pos, prev, pos, len(body))
	}
	out := make(map[string]*tensors.Tensor, len(names))
	for _, name := range names {
		e := entries[name]
		t := tensors.FromShape(shapes.Make(safetensorsDType(e.DType), e.Shape...))
		if err := t.MutableBytes(func(d []byte) { copy(d, body[e.DataOffsets[0]:e.DataOffsets[1]]) }); err != nil {
			return nil, fmt.Errorf("tensor %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// safetensorsDType maps a safetensors dtype name to GoMLX's (InvalidDType if unknown).
func safetensorsDType(name string) dtypes.DType {
	for d, s := range safetensorsDTypes {
		if s == name {
			return d
		}
	}
	return dtypes.InvalidDType
}

// checkEntry decodes one header entry and checks it against a data section
// of bodyLen bytes: known dtype, non-negative dimensions, offsets in order
// and in range, and exactly the bytes the dtype and shape need.
func checkEntry(raw json.RawMessage, bodyLen int64) (safetensorsEntry, error) {
	var e struct {
		DType       *string  `json:"dtype"`
		Shape       *[]int64 `json:"shape"`
		DataOffsets *[]int64 `json:"data_offsets"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return safetensorsEntry{}, fmt.Errorf("bad header entry: %v", err)
	}
	switch {
	case e.DType == nil:
		return safetensorsEntry{}, errors.New("header entry has no dtype")
	case e.Shape == nil:
		return safetensorsEntry{}, errors.New("header entry has no shape")
	case e.DataOffsets == nil || len(*e.DataOffsets) != 2:
		return safetensorsEntry{}, errors.New("header entry needs data_offsets [begin, end]")
	}
	dt := safetensorsDType(*e.DType)
	if dt == dtypes.InvalidDType {
		return safetensorsEntry{}, fmt.Errorf("unknown dtype %q", *e.DType)
	}
	size := int64(dt.Size())
	shape := make([]int, len(*e.Shape))
	for i, d := range *e.Shape {
		if d < 0 {
			return safetensorsEntry{}, fmt.Errorf("shape %v has a negative dimension", *e.Shape)
		}
		if d > 0 && size > math.MaxInt64/d {
			return safetensorsEntry{}, fmt.Errorf("shape %v is too large", *e.Shape)
		}
		size *= d
		shape[i] = int(d)
	}
	begin, end := (*e.DataOffsets)[0], (*e.DataOffsets)[1]
	switch {
	case begin < 0 || end < begin:
		return safetensorsEntry{}, fmt.Errorf("data_offsets [%d,%d) are not a range", begin, end)
	case end > bodyLen:
		return safetensorsEntry{}, fmt.Errorf("data [%d,%d) ends past the %d bytes of data (truncated file)", begin, end, bodyLen)
	case end-begin != size:
		return safetensorsEntry{}, fmt.Errorf("dtype %s shape %v needs %d bytes, data_offsets [%d,%d) hold %d", *e.DType, *e.Shape, size, begin, end, end-begin)
	}
	return safetensorsEntry{DType: *e.DType, Shape: shape, DataOffsets: [2]int64{begin, end}}, nil
}
