package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// StateDictKey returns the PyTorch state_dict key of variable v relative to the
// scope root: the path below root with "/" replaced by ".". For example, under
// root "/discriminator" the variable "/discriminator/main/2/weight" is
// "main.2.weight". It returns "" when v is not under root.
func StateDictKey(root *model.Scope, v *model.Variable) string {
	base := strings.TrimSuffix(root.Scope(), "/")
	p := v.Path()
	if !strings.HasPrefix(p, base+"/") {
		return ""
	}
	return strings.ReplaceAll(strings.TrimPrefix(p, base+"/"), "/", ".")
}

// SetVariable sets (creating it if needed) the variable name in scope s to the
// float32 host data with the given dimensions (row-major, as PyTorch stores
// it). The variable "num_batches_tracked" is stored as int64, as in PyTorch.
// It returns an error if the variable exists with another shape or the data
// does not match dims.
func SetVariable(s *model.Scope, name string, dims []int, data []float32) error {
	n := 1
	for _, d := range dims {
		n *= d
	}
	if n != len(data) {
		return fmt.Errorf("nn.SetVariable(%s/%s): %d values for dims %v (want %d)", s.Scope(), name, len(data), dims, n)
	}
	var t *tensors.Tensor
	if name == "num_batches_tracked" {
		ints := make([]int64, len(data))
		for i, v := range data {
			ints[i] = int64(v)
		}
		t = tensors.FromFlatDataAndDimensions(ints, dims...)
	} else {
		t = tensors.FromFlatDataAndDimensions(slices.Clone(data), dims...)
	}
	if v := s.GetVariable(name); v != nil {
		if !v.Shape().Equal(t.Shape()) {
			return fmt.Errorf("nn.SetVariable(%s/%s): variable has shape %s, data has %s", s.Scope(), name, v.Shape(), t.Shape())
		}
		return v.SetValue(t)
	}
	_, err := s.CreateVariable(name, t)
	return err
}

// VariableData returns a copy of v's value as float32 host data (int64
// variables, such as num_batches_tracked, are converted) and its dimensions.
func VariableData(v *model.Variable) (data []float32, dims []int, err error) {
	t, err := v.Value()
	if err != nil {
		return nil, nil, fmt.Errorf("nn.VariableData(%s): %w", v.Path(), err)
	}
	dims = slices.Clone(t.Shape().Dimensions)
	switch t.DType() {
	case dtypes.Float32:
		data, err = tensors.CopyFlatData[float32](t)
	case dtypes.Int64:
		var ints []int64
		ints, err = tensors.CopyFlatData[int64](t)
		data = make([]float32, len(ints))
		for i, x := range ints {
			data[i] = float32(x)
		}
	default:
		err = fmt.Errorf("unsupported dtype %s", t.DType())
	}
	if err != nil {
		return nil, nil, fmt.Errorf("nn.VariableData(%s): %w", v.Path(), err)
	}
	return data, dims, nil
}
