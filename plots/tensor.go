package plots

import (
	"fmt"
	"image"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
)

// GridTensor is [Grid] for a GoMLX tensor shaped [N,C,H,W], [C,H,W] or [H,W]
// (a generator's output, a batch of frames). Float32, Float64 and Uint8
// tensors are accepted; Uint8 values are read as pixels in [0,255].
func GridTensor(t *tensors.Tensor) (*image.RGBA, error) {
	return DefaultGridOptions().GridTensor(t)
}

// GridTensor is [GridOptions.Grid] for a GoMLX tensor.
func (o GridOptions) GridTensor(t *tensors.Tensor) (*image.RGBA, error) {
	data, u8, shape, err := tensorData(t)
	if err != nil {
		return nil, err
	}
	if u8 != nil {
		return o.GridUint8(u8, shape...)
	}
	return o.Grid(data, shape...)
}

// TensorFloats returns a copy of a tensor's values as float32 and its
// dimensions, for the functions here that take a flat slice and a shape.
func TensorFloats(t *tensors.Tensor) ([]float32, []int, error) {
	data, u8, shape, err := tensorData(t)
	if err != nil {
		return nil, nil, err
	}
	if u8 != nil {
		data = make([]float32, len(u8))
		for i, b := range u8 {
			data[i] = float32(b)
		}
	}
	return data, shape, nil
}

func tensorData(t *tensors.Tensor) (f []float32, u8 []uint8, shape []int, err error) {
	if t == nil {
		return nil, nil, nil, fmt.Errorf("plots: nil tensor")
	}
	if err := t.CheckValid(); err != nil {
		return nil, nil, nil, fmt.Errorf("plots: tensor: %w", err)
	}
	shape = append([]int(nil), t.Shape().Dimensions...)
	switch t.DType() {
	case dtypes.Float32:
		f, err = tensors.CopyFlatData[float32](t)
	case dtypes.Float64:
		var d []float64
		d, err = tensors.CopyFlatData[float64](t)
		f = make([]float32, len(d))
		for i, v := range d {
			f[i] = float32(v)
		}
	case dtypes.Uint8:
		u8, err = tensors.CopyFlatData[uint8](t)
	default:
		return nil, nil, nil, fmt.Errorf("plots: tensor of dtype %s: want Float32, Float64 or Uint8", t.DType())
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("plots: reading tensor %s: %w", t.Shape(), err)
	}
	return f, u8, shape, nil
}
