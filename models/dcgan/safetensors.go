package dcgan

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/arcade-go/arcade/models/ckpt"
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
	names := make([]string, 0, len(ts))
	for n := range ts {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]safetensorsEntry{}
	var datas [][]byte
	var off int64
	for _, n := range names {
		t := ts[n]
		dt, ok := safetensorsDTypes[t.DType()]
		if !ok {
			return fmt.Errorf("safetensors: tensor %s has unsupported dtype %s", n, t.DType())
		}
		var b []byte
		if err := t.ConstBytes(func(d []byte) { b = append([]byte(nil), d...) }); err != nil {
			return fmt.Errorf("safetensors: tensor %s: %w", n, err)
		}
		header[n] = safetensorsEntry{DType: dt, Shape: append([]int{}, t.Shape().Dimensions...), DataOffsets: [2]int64{off, off + int64(len(b))}}
		datas = append(datas, b)
		off += int64(len(b))
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(hb)%8 != 0 {
		hb = append(hb, ' ')
	}
	out := make([]byte, 8, 8+len(hb)+int(off))
	binary.LittleEndian.PutUint64(out, uint64(len(hb)))
	out = append(out, hb...)
	for _, b := range datas {
		out = append(out, b...)
	}
	return ckpt.WriteFileAtomic(path, out)
}

// ReadSafetensors reads every tensor of a safetensors file. Errors name the
// file and what is wrong (truncated, bad header, unsupported dtype).
func ReadSafetensors(path string) (map[string]*tensors.Tensor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < 8 {
		return nil, fmt.Errorf("%s: not a safetensors file (%d bytes)", path, len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > uint64(len(data)-8) {
		return nil, fmt.Errorf("%s: truncated or not a safetensors file (header of %d bytes, file of %d)", path, n, len(data))
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+n], &header); err != nil {
		return nil, fmt.Errorf("%s: bad safetensors header: %v", path, err)
	}
	body := data[8+n:]
	out := map[string]*tensors.Tensor{}
	for name, raw := range header {
		if name == "__metadata__" {
			continue
		}
		var e safetensorsEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("%s: tensor %s: bad header entry: %v", path, name, err)
		}
		var dt dtypes.DType
		found := false
		for d, s := range safetensorsDTypes {
			if s == e.DType {
				dt, found = d, true
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: tensor %s has unsupported dtype %q", path, name, e.DType)
		}
		sh := shapes.Make(dt, e.Shape...)
		b, end := e.DataOffsets[0], e.DataOffsets[1]
		if b < 0 || end > int64(len(body)) || end-b != int64(sh.ByteSize()) {
			return nil, fmt.Errorf("%s: tensor %s: data [%d,%d) does not fit %s in a body of %d bytes (truncated?)", path, name, b, end, sh, len(body))
		}
		t := tensors.FromShape(sh)
		t.MutableBytes(func(d []byte) { copy(d, body[b:end]) })
		out[name] = t
	}
	return out, nil
}
