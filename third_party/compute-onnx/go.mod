module github.com/gomlx/compute-onnx

go 1.24
