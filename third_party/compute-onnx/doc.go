// Package onnx is an empty stand-in for github.com/gomlx/compute-onnx, GoMLX's
// ONNX Runtime backend, which the Go module proxy does not serve. GoMLX imports
// it only under the "onnx" build tag, which Arcade never sets; the stand-in
// exists so that the module graph loads (go mod tidy, go list -m all, gopls).
package onnx
