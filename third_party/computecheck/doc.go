// Package computecheck holds the project's own checks of the patched
// github.com/gomlx/compute in third_party/compute (see third_party/README.md).
// It has no code of its own; its tests run with `go test ./...`.
package computecheck
