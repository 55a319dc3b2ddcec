package dcgan

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/arcade-go/arcade/kernel"
)

// stFile assembles a safetensors file from a JSON header and a data section.
func stFile(header string, body []byte) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(out, header...), body...)
}

// TestReadSafetensorsRejectsBadHeaders: the hostile test's malformed files
// each give an error naming the tensor and the problem, never a panic and
// never a silently accepted file.
func TestReadSafetensorsRejectsBadHeaders(t *testing.T) {
	body8 := make([]byte, 8)
	cases := []struct {
		name, header string
		body         []byte
		want         string
	}{
		{"negative shape", `{"w":{"dtype":"F32","shape":[-512],"data_offsets":[0,8]}}`, body8, "tensor w: shape [-512] has a negative dimension"},
		{"unknown dtype", `{"w":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}}`, body8, `tensor w: unknown dtype "F31"`},
		{"F64 data size", `{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}`, body8, "tensor w: dtype F64 shape [2] needs 16 bytes, data_offsets [0,8) hold 8"},
		{"overlap", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, body8, "tensor b: data [4,8) overlaps tensor a"},
		{"gap", `{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, body8, "tensor a: data starts at 4, leaving a gap of 4 bytes"},
		{"trailing garbage", `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, body8, "4 bytes of trailing data after tensor a"},
		{"past the end", `{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, body8, "tensor a: data [0,16) ends past the 8 bytes of data (truncated file)"},
		{"reversed offsets", `{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, body8, "tensor a: data_offsets [8,0) are not a range"},
		{"huge shape", `{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}`, body8, "tensor a: shape"},
		{"no offsets", `{"a":{"dtype":"F32","shape":[2]}}`, body8, "tensor a: header entry needs data_offsets"},
		{"extra field", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}`, body8, "tensor a: bad header entry"},
		{"bad json", `{"a":`, body8, "bad safetensors header"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseSafetensors(stFile(c.header, c.body))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
	// The path is named too.
	path := filepath.Join(t.TempDir(), "generator.safetensors")
	os.WriteFile(path, stFile(cases[0].header, body8), 0o644)
	if _, err := ReadSafetensors(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want it to name %s", err, path)
	}
}

// zeroStateDict is a valid state_dict of zeros (BatchNorm variances one).
func zeroStateDict(t *testing.T, cfg Config, net string) map[string]*tensors.Tensor {
	t.Helper()
	entries, err := StateDict(cfg, net)
	if err != nil {
		t.Fatal(err)
	}
	sd := map[string]*tensors.Tensor{}
	for _, e := range entries {
		x := tensors.FromShape(e.Shape)
		if strings.HasSuffix(e.Key, "running_var") {
			x.MutableFlatData(func(f any) {
				for i := range f.([]float32) {
					f.([]float32)[i] = 1
				}
			})
		}
		sd[e.Key] = x
	}
	return sd
}

// TestImportChecksValues: NaN and Inf weights, a negative running_var and a
// float64 tensor are refused with the tensor's name; a valid one is taken.
func TestImportChecksValues(t *testing.T) {
	cfg := tinyConfig()
	m := &GAN{Config: cfg, Store: model.NewStore()}
	if err := m.checkStateDict(GeneratorScope, zeroStateDict(t, cfg, GeneratorScope)); err != nil {
		t.Fatalf("valid state_dict refused: %v", err)
	}
	set := func(key string, i int, v float32) map[string]*tensors.Tensor {
		sd := zeroStateDict(t, cfg, GeneratorScope)
		sd[key].MutableFlatData(func(f any) { f.([]float32)[i] = v })
		return sd
	}
	f64 := zeroStateDict(t, cfg, GeneratorScope)
	f64["pipe.0.weight"] = tensors.FromShape(shapes.Make(dtypes.Float64, f64["pipe.0.weight"].Shape().Dimensions...))
	for name, c := range map[string]struct {
		sd   map[string]*tensors.Tensor
		want string
	}{
		"NaN":          {set("pipe.3.weight", 5, float32(math.NaN())), "pipe.3.weight: element 5 is NaN (values must be finite)"},
		"Inf":          {set("pipe.1.bias", 2, float32(math.Inf(-1))), "pipe.1.bias: element 2 is -Inf"},
		"negative var": {set("pipe.4.running_var", 1, -0.5), "pipe.4.running_var: element 1 is -0.5 (a variance must be >= 0)"},
		"F64":          {f64, "pipe.0.weight: dtype F64 not supported (want F32)"},
	} {
		if err := m.checkStateDict(GeneratorScope, c.sd); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", name, err, c.want)
		}
	}
}

func TestWriteSafetensorsStream(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.safetensors")
	specs := []TensorSpec{{"z", shapes.Make(dtypes.Float32, 5, 2)}, {"n", shapes.Make(dtypes.Int64, 3)}}
	err := WriteSafetensorsStream(path, specs, func(put func(string, *tensors.Tensor) error) error {
		for i := range 5 { // one row at a time
			if err := put("z", tensors.FromFlatDataAndDimensions([]float32{float32(i), -float32(i)}, 1, 2)); err != nil {
				return err
			}
		}
		return put("n", tensors.FromFlatDataAndDimensions([]int64{7, 8, 9}, 3))
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if z := tensors.MustCopyFlatData[float32](got["z"]); z[8] != 4 || z[9] != -4 || got["z"].Shape().Dimensions[0] != 5 {
		t.Errorf("z = %v", z)
	}
	// A missing piece: no file.
	short := filepath.Join(t.TempDir(), "short.safetensors")
	err = WriteSafetensorsStream(short, specs[:1], func(put func(string, *tensors.Tensor) error) error {
		return put("z", tensors.FromFlatDataAndDimensions([]float32{1, 2}, 1, 2))
	})
	if err == nil || !strings.Contains(err.Error(), "got 8 of its 40 bytes") {
		t.Errorf("short stream: %v", err)
	}
	if _, e := os.Stat(short); !os.IsNotExist(e) {
		t.Errorf("a short stream left a file: %v", e)
	}
}

// TestSamplesInBatches: Samples hands out batches no larger than asked, and
// the noise is FixedNoise's whatever the batch size.
func TestSamplesInBatches(t *testing.T) {
	cfg := tinyConfig()
	m, err := New(kernel.Backend(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	var zs []float32
	err = m.Samples(7, 3, 11, -1, func(z, imgs *tensors.Tensor) error {
		sizes = append(sizes, imgs.Shape().Dimensions[0])
		zs = append(zs, tensors.MustCopyFlatData[float32](z)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sizes) != 3 || sizes[0] != 3 || sizes[2] != 1 {
		t.Errorf("batch sizes %v, want [3 3 1]", sizes)
	}
	if want := tensors.MustCopyFlatData[float32](FixedNoise(7, cfg.LatentSize, 11)); !bytes.Equal(f32bytes(zs), f32bytes(want)) {
		t.Error("batched noise differs from FixedNoise")
	}
}

func f32bytes(x []float32) []byte {
	var b []byte
	for _, v := range x {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// FuzzReadSafetensors: no input panics; whatever is accepted reads back the
// same through WriteSafetensors. Run: go test -fuzz FuzzReadSafetensors ./models/dcgan
func FuzzReadSafetensors(f *testing.F) {
	f.Add(stFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(stFile(`{"__metadata__":{"k":"v"},"a":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[0],"data_offsets":[8,8]}}`, make([]byte, 8)))
	f.Add(stFile(`{"w":{"dtype":"F32","shape":[-512],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(stFile(`{"a":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := parseSafetensors(data)
		if err != nil {
			return
		}
		path := filepath.Join(t.TempDir(), "x.safetensors")
		if err := WriteSafetensors(path, ts); err != nil {
			t.Fatal(err)
		}
		again, err := ReadSafetensors(path)
		if err != nil || len(again) != len(ts) {
			t.Fatalf("accepted file does not round-trip: %v", err)
		}
	})
}
