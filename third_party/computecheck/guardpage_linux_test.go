//go:build linux

package computecheck

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// The guard-page test: every operand of 1..15 elements ends exactly at a
// PROT_NONE page, so a kernel that reads (or writes) even one byte past the end
// of a short slice dies with SIGSEGV instead of passing by luck. Before the
// third_party/compute patch "no partial vector loads past the end of a short
// slice", simd.LoadFloat32sPart (archsimd.LoadFloat32x16Part & co.) loaded a
// whole vector and this test crashed in ops.simdV2V1AddFloat32 and friends.
//
// The parent test runs the cases in a child process once per vector width the
// CPU can use (GODEBUG=simd=128, +256, +512), so that a crash is reported as a
// test failure naming the width, and so that every @simd128/@simd256/@simd512
// variant of the kernels is exercised, not only the default one.

const childEnv = "ARCADE_GUARDPAGE_CHILD"

func TestShortOperandsBeforeGuardPage(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("child process: runs TestGuardPageChild only")
	}
	for _, width := range vectorWidths() {
		t.Run("simd="+width, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestGuardPageChild$", "-test.count=1", "-test.v")
			env := []string{childEnv + "=1"}
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "GODEBUG=") {
					env = append(env, kv)
				}
			}
			if width != "default" {
				env = append(env, "GODEBUG=simd="+width)
			}
			cmd.Env = env
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			text := out.String()
			if err != nil {
				if strings.Contains(text, "unexpected fault address") || strings.Contains(text, "SIGSEGV") {
					t.Fatalf("a kernel touched memory past the end of a short operand (SIGSEGV at the guard page), GODEBUG=simd=%s\n"+
						"last case started: %s\nfaulting kernel: %s\n%s", width, lastLine(text, "guardpage case "),
						lastLine(firstRunning(text), "github.com/gomlx/compute/"), tail(text, 2000))
				}
				t.Fatalf("child failed (GODEBUG=simd=%s): %v\n%s", width, err, tail(text, 4000))
			}
			if !strings.Contains(text, "--- PASS: TestGuardPageChild") {
				t.Fatalf("child did not run the cases (GODEBUG=simd=%s):\n%s", width, tail(text, 4000))
			}
		})
	}
}

// vectorWidths lists the GODEBUG=simd settings worth running here: the
// default, plus each wider vector the CPU has (the '+' skips simd's check for
// extra features such as VPCLMULQDQ, which these kernels do not use).
func vectorWidths() []string {
	widths := []string{"default", "128"}
	info, _ := os.ReadFile("/proc/cpuinfo")
	flags := " " + string(info) + " "
	if strings.Contains(flags, " avx2 ") {
		widths = append(widths, "+256")
	}
	if strings.Contains(flags, " avx512f ") {
		widths = append(widths, "+512")
	}
	return widths
}

// lastLine returns the last line of s that contains sub ("" if none).
func lastLine(s, sub string) string {
	found := ""
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			found = strings.TrimSpace(line)
		}
	}
	return found
}

// firstRunning returns the first frames of the goroutine that crashed: from
// its "[running]" header up to the first compute frame below the runtime's.
func firstRunning(s string) string {
	i := strings.Index(s, "[running]:")
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, "github.com/gomlx/compute/"); j >= 0 {
		if k := strings.IndexByte(s[j:], '\n'); k >= 0 {
			return s[:j+k]
		}
	}
	return s
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// guarded returns n elements of T whose last one ends exactly at a PROT_NONE
// page. The memory is never unmapped (a few pages per case, test only).
func guarded[T any](t *testing.T, n int) []T {
	t.Helper()
	var zero T
	size := int(unsafe.Sizeof(zero)) * n
	ps := syscall.Getpagesize()
	pages := (size+ps-1)/ps + 1
	mem, err := syscall.Mmap(-1, 0, pages*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	guard := (pages - 1) * ps
	if err := syscall.Mprotect(mem[guard:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&mem[guard-size])), n)
}

// onGuardPage returns a tensor on the Go backend whose device buffer is the
// guarded memory itself (the backend would otherwise copy it into its own
// allocation): Buffer.Flat and Buffer.RawBytes are swapped for it.
func onGuardPage[T float32 | float64](t *testing.T, backend compute.Backend, values []T, dims ...int) *tensors.Tensor {
	t.Helper()
	dtype := dtypes.FromGoType(reflect.TypeFor[T]())
	buf, err := backend.BufferFromFlatData(0, make([]T, len(values)), shapes.Make(dtype, dims...))
	if err != nil {
		t.Fatal(err)
	}
	mem := guarded[T](t, len(values))
	copy(mem, values)
	v := reflect.ValueOf(buf).Elem()
	v.FieldByName("Flat").Set(reflect.ValueOf(mem))
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&mem[0])), len(mem)*int(unsafe.Sizeof(mem[0])))
	v.FieldByName("RawBytes").Set(reflect.ValueOf(raw))
	tensor, err := tensors.FromBuffer(buf)
	if err != nil {
		t.Fatal(err)
	}
	return tensor
}

// rows is A in the [A, n] operands (the V2V1/V1V2 broadcast and the reductions).
const rows = 3

type opCase struct {
	name  string
	graph func(x, y, m *Node) *Node
	want  func(x, y, m []float64, n int) []float64
	tol   float64 // relative tolerance when the kernel is an approximation (0: the dtype's)
}

func elementwise(f func(a, b float64) float64) func(x, y, m []float64, n int) []float64 {
	return func(x, y, _ []float64, n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = f(x[i], y[i])
		}
		return out
	}
}

func unary(f func(a float64) float64, fromY bool) func(x, y, m []float64, n int) []float64 {
	return func(x, y, _ []float64, n int) []float64 {
		src := x
		if fromY {
			src = y
		}
		out := make([]float64, n)
		for i := range out {
			out[i] = f(src[i])
		}
		return out
	}
}

// rowsOp: m [rows, n] op broadcast(y [n]) (or the reverse).
func rowsOp(f func(a, b float64) float64, yFirst bool) func(x, y, m []float64, n int) []float64 {
	return func(_, y, m []float64, n int) []float64 {
		out := make([]float64, rows*n)
		for i := range out {
			if yFirst {
				out[i] = f(y[i%n], m[i])
			} else {
				out[i] = f(m[i], y[i%n])
			}
		}
		return out
	}
}

func reduce(f func(acc, v float64) float64, init float64, axis int) func(x, y, m []float64, n int) []float64 {
	return func(x, _, m []float64, n int) []float64 {
		switch axis {
		case -1: // all of x
			acc := init
			for _, v := range x {
				acc = f(acc, v)
			}
			return []float64{acc}
		case 0: // leading axis of m: n results
			out := make([]float64, n)
			for j := range n {
				acc := init
				for a := range rows {
					acc = f(acc, m[a*n+j])
				}
				out[j] = acc
			}
			return out
		default: // trailing axis of m: rows results
			out := make([]float64, rows)
			for a := range rows {
				acc := init
				for j := range n {
					acc = f(acc, m[a*n+j])
				}
				out[a] = acc
			}
			return out
		}
	}
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

var opCases = []opCase{
	// Vector-vector, vector-scalar and scalar-vector binary kernels.
	{"Add", func(x, y, _ *Node) *Node { return Add(x, y) }, elementwise(func(a, b float64) float64 { return a + b }), 0},
	{"Sub", func(x, y, _ *Node) *Node { return Sub(x, y) }, elementwise(func(a, b float64) float64 { return a - b }), 0},
	{"Mul", func(x, y, _ *Node) *Node { return Mul(x, y) }, elementwise(func(a, b float64) float64 { return a * b }), 0},
	{"Div", func(x, y, _ *Node) *Node { return Div(x, y) }, elementwise(func(a, b float64) float64 { return a / b }), 0},
	{"Max", func(x, y, _ *Node) *Node { return Max(x, y) }, elementwise(math.Max), 0},
	{"Min", func(x, y, _ *Node) *Node { return Min(x, y) }, elementwise(math.Min), 0},
	{"AddScalar", func(x, _, _ *Node) *Node { return Add(x, Scalar(x.Graph(), x.DType(), 0.5)) }, unary(func(a float64) float64 { return a + 0.5 }, false), 0},
	{"ScalarSub", func(x, _, _ *Node) *Node { return Sub(Scalar(x.Graph(), x.DType(), 2), x) }, unary(func(a float64) float64 { return 2 - a }, false), 0},
	{"ScalarDiv", func(_, y, _ *Node) *Node { return Div(Scalar(y.Graph(), y.DType(), 2), y) }, unary(func(a float64) float64 { return 2 / a }, true), 0},
	{"MaxScalar", func(x, _, _ *Node) *Node { return Max(x, Scalar(x.Graph(), x.DType(), 0)) }, unary(func(a float64) float64 { return math.Max(a, 0) }, false), 0},
	// [rows, n] op [1, n] (implicit broadcast): the bias add of issue 17 (ops.simdV2V1AddFloat32), and the other order.
	{"RowsAddBias", func(_, y, m *Node) *Node { return Add(m, InsertAxes(y, 0)) }, rowsOp(func(a, b float64) float64 { return a + b }, false), 0},
	{"RowsMulBias", func(_, y, m *Node) *Node { return Mul(m, InsertAxes(y, 0)) }, rowsOp(func(a, b float64) float64 { return a * b }, false), 0},
	{"RowsSubBias", func(_, y, m *Node) *Node { return Sub(m, InsertAxes(y, 0)) }, rowsOp(func(a, b float64) float64 { return a - b }, false), 0},
	{"RowsDivBias", func(_, y, m *Node) *Node { return Div(m, InsertAxes(y, 0)) }, rowsOp(func(a, b float64) float64 { return a / b }, false), 0},
	{"RowsMaxBias", func(_, y, m *Node) *Node { return Max(m, InsertAxes(y, 0)) }, rowsOp(math.Max, false), 0},
	{"RowsMinBias", func(_, y, m *Node) *Node { return Min(m, InsertAxes(y, 0)) }, rowsOp(math.Min, false), 0},
	{"BiasSubRows", func(_, y, m *Node) *Node { return Sub(InsertAxes(y, 0), m) }, rowsOp(func(a, b float64) float64 { return a - b }, true), 0},
	// Reductions: whole vector, leading axis, trailing axis.
	{"ReduceAllSum", func(x, _, _ *Node) *Node { return ReduceAllSum(x) }, reduce(func(acc, v float64) float64 { return acc + v }, 0, -1), 0},
	{"ReduceAllMax", func(x, _, _ *Node) *Node { return ReduceAllMax(x) }, reduce(math.Max, math.Inf(-1), -1), 0},
	{"ReduceAllMin", func(x, _, _ *Node) *Node { return ReduceAllMin(x) }, reduce(math.Min, math.Inf(1), -1), 0},
	{"ReduceSumLeading", func(_, _, m *Node) *Node { return ReduceSum(m, 0) }, reduce(func(acc, v float64) float64 { return acc + v }, 0, 0), 0},
	{"ReduceMaxLeading", func(_, _, m *Node) *Node { return ReduceMax(m, 0) }, reduce(math.Max, math.Inf(-1), 0), 0},
	{"ReduceSumTrailing", func(_, _, m *Node) *Node { return ReduceSum(m, 1) }, reduce(func(acc, v float64) float64 { return acc + v }, 0, 1), 0},
	{"ReduceMinTrailing", func(_, _, m *Node) *Node { return ReduceMin(m, 1) }, reduce(math.Min, math.Inf(1), 1), 0},
	// Unary kernels.
	{"Exp", func(x, _, _ *Node) *Node { return Exp(x) }, unary(math.Exp, false), 0},
	{"Sqrt", func(_, y, _ *Node) *Node { return Sqrt(y) }, unary(math.Sqrt, true), 0},
	{"Rsqrt", func(_, y, _ *Node) *Node { return Rsqrt(y) }, unary(func(a float64) float64 { return 1 / math.Sqrt(a) }, true), 0},
	{"Tanh", func(x, _, _ *Node) *Node { return Tanh(x) }, unary(math.Tanh, false), 0},
	{"Logistic", func(x, _, _ *Node) *Node { return Logistic(x) }, unary(func(a float64) float64 { return 1 / (1 + math.Exp(-a)) }, false), 0},
	{"Erf", func(x, _, _ *Node) *Node { return Erf(x) }, unary(math.Erf, false), 1e-6},
	{"Abs", func(x, _, _ *Node) *Node { return Abs(x) }, unary(math.Abs, false), 0},
	{"Neg", func(x, _, _ *Node) *Node { return Neg(x) }, unary(func(a float64) float64 { return -a }, false), 0},
	{"Sign", func(x, _, _ *Node) *Node { return Sign(x) }, unary(sign, false), 0},
}

// TestGuardPageChild runs every case on operands of 1..15 elements (float32
// and float64) that end at a guard page. Run alone it is the same check at the
// default vector width.
func TestGuardPageChild(t *testing.T) {
	backend, err := gobackend.New("")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	runGuardPageCases[float32](t, backend, 2e-5)
	runGuardPageCases[float64](t, backend, 1e-9)
}

func runGuardPageCases[T float32 | float64](t *testing.T, backend compute.Backend, tol float64) {
	dtype := dtypes.FromGoType(reflect.TypeFor[T]())
	minN := 1
	if v, err := strconv.Atoi(os.Getenv("ARCADE_GUARDPAGE_MIN_N")); err == nil {
		minN = v // e.g. 2: skip n=1, where a binary op takes its scalar path
	}
	for n := minN; n <= 15; n++ {
		x, y, m := make([]float64, n), make([]float64, n), make([]float64, rows*n)
		for i := range x {
			x[i] = float64(i%7)*0.5 - 1.25 // mixed signs, no zeros
			y[i] = 0.5 + float64(i%5)*0.25 // positive: Div, Sqrt, Rsqrt
		}
		for i := range m {
			m[i] = float64(i%9)*0.3 - 1.1
		}
		for _, c := range opCases {
			if only := os.Getenv("ARCADE_GUARDPAGE_ONLY"); only != "" && c.name != only {
				continue // to look at one kernel: ARCADE_GUARDPAGE_ONLY=RowsAddBias
			}
			name := fmt.Sprintf("%s/%s/n=%d", dtype, c.name, n)
			// Printed before running: if the kernel faults, the crash report says which case.
			fmt.Fprintln(os.Stderr, "guardpage case", name)
			e := MustNewExec(backend, c.graph)
			outs, err := e.Exec(
				onGuardPage(t, backend, convert[T](x), n),
				onGuardPage(t, backend, convert[T](y), n),
				onGuardPage(t, backend, convert[T](m), rows, n))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got := outs[0].Value()
			want := c.want(x, y, m, n)
			var flat []T
			switch v := got.(type) {
			case T:
				flat = []T{v}
			case []T:
				flat = v
			case [][]T:
				for _, row := range v {
					flat = append(flat, row...)
				}
			default:
				t.Fatalf("%s: unexpected result type %T", name, got)
			}
			if len(flat) != len(want) {
				t.Fatalf("%s: got %d values, want %d", name, len(flat), len(want))
			}
			caseTol := max(tol, c.tol)
			for i := range want {
				g := float64(flat[i])
				if math.Abs(g-want[i]) > caseTol*math.Max(1, math.Abs(want[i])) {
					t.Errorf("%s: element %d = %g, want %g", name, i, g, want[i])
					break
				}
			}
			e.Finalize()
		}
	}
	// In place: a donated operand becomes the output, so the kernels' partial
	// stores (StorePart) write right up to the guard page.
	for n := 1; n <= 15; n++ {
		name := fmt.Sprintf("%s/in-place/n=%d", dtype, n)
		fmt.Fprintln(os.Stderr, "guardpage case", name)
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = float64(i) - 3.5
		}
		e := MustNewExec(backend, func(z, b *Node) *Node { return Neg(Add(z, b)) })
		zt := onGuardPage(t, backend, convert[T](vals), n)
		donated, err := DonateTensorBuffer(zt, backend, 0)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := e.Exec(donated, onGuardPage(t, backend, convert[T](vals), n))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := outs[0].Value().([]T)
		for i, v := range vals {
			if float64(got[i]) != -2*v {
				t.Errorf("%s: element %d = %g, want %g", name, i, float64(got[i]), -2*v)
				break
			}
		}
		e.Finalize()
	}
}

func convert[T float32 | float64](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}
