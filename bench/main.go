// Command bench times one training step of the two Arcade models, in Go (GoMLX
// on this process's backend, models/nn layers) and in PyTorch (torch_step.py),
// side by side in one run on the same number of cores, at 1 thread and at all
// cores (-threads), and prints per model and thread count, once a round
// (-rounds, 3 by default; each round runs every thread count on both sides):
//
//	BENCH model=dcgan threads=2 go_s=... torch_s=... ratio=... go_rss_mb=... torch_rss_mb=... gflop=... go_gflops=... torch_gflops=...
//
// then per model and thread count the medians over the rounds, and the
// speed-up of each side's median from the fewest to the most threads:
//
//	MEDIAN model=dcgan threads=2 rounds=3 go_s=... torch_s=... ratio=...
//	SPEEDUP model=dcgan threads=1->2 go=1.02 torch=1.35
//
// The 1-thread runs of both sides are pinned to the same CPU, the first this
// process may use (-pin=false leaves them to the scheduler): see below.
//
// With -cores each round also runs both sides at 1 thread pinned to each CPU
// in turn, and the end prints each CPU's medians and, when the most threads
// equal the number of CPUs, the parallel efficiency of each side: the step
// time perfect parallel work would take on those CPUs (their 1-thread rates
// added, 1/sum(1/t_cpu)) over the measured N-thread median:
//
//	CORE model=dcgan cpu=1 rounds=3 go_s=... torch_s=...
//	EFFICIENCY model=dcgan threads=2 go=0.85 torch=0.62
//
// and, after each round, that round's efficiency from its own runs (on a
// shared host the CPUs' speeds change between rounds):
//
//	ROUND model=dcgan round=2 threads=2 go_eff=0.93 torch_eff=0.75
//
// The cores of a virtual machine need not be equally fast: on the 2-core VMs
// this was written on, a neighbour's load made one vCPU 35% slower than the
// other for the DCGAN's AVX-512 step for minutes at a time (0.30 against
// 0.41 s, 2026-12-01): unpinned, Go's and PyTorch's 1-thread runs could land
// on different vCPUs (a fast-network step once read 0.0202 against 0.0173 s
// that way, against 0.0154 / 0.0174 and 0.0220 / 0.0220 on one core each), and
// the speed-up depends on the CPU the 1-thread run uses. The efficiency does not.
//
// PyTorch's OpenMP threads wait passively (OMP_WAIT_POLICY=PASSIVE) unless
// -torch-omp-wait says otherwise: spinning threads steal the cores from each
// other and from Go's when the machine has anything else to do, which makes
// PyTorch look slower than it is.
// go_s and torch_s are medians of -steps steps after -warmup steps, ratio is
// go_s/torch_s, RSS is each child process's peak resident set (getrusage),
// go_cpu_s/torch_cpu_s the CPU time (all threads) per timed step, a figure
// that a loaded machine disturbs less than wall time.
// go_faults/torch_faults count the page faults per timed step: memory a
// process gives back to the kernel and asks for again is paid for in faults,
// each 12 us on some virtual machines (measured 2026-12-01), so glibc's malloc,
// which returns every block over its mmap threshold at free, costs PyTorch
// half its step there. -torch-malloc keep (the fair default) sets glibc's
// thresholds so that freed blocks stay in the process, as Go's heap does.
// Each side runs in its own child process, one after the other.
//
//	go run ./bench                    # dcgan, dqn and dqn-small, at 1 thread and all cores
//	go run ./bench -models dqn -threads 2 -steps 20
//	go run ./bench -device cuda       # XLA CUDA vs PyTorch CUDA (see gpu.sh)
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/arcade-go/arcade/kernel"
	"github.com/arcade-go/arcade/models/dqn"
)

var (
	flagModels      = flag.String("models", "dcgan,dqn,dqn-small", "comma-separated models to time: dcgan, dqn (the reference's Q-network), dqn-small (the fast preset's)")
	flagSteps       = flag.Int("steps", 10, "timed steps (the median is reported)")
	flagWarmup      = flag.Int("warmup", 10, "untimed steps first (compilation, caches, memory pools: see bench/README.md)")
	flagRounds      = flag.Int("rounds", 3, "rounds per model: each runs every thread count on both sides; MEDIAN and SPEEDUP lines take the medians over rounds")
	flagThreads     = flag.String("threads", fmt.Sprintf("1,%d", runtime.NumCPU()), "comma-separated thread counts, each run on both sides: GOMAXPROCS for Go, torch.set_num_threads for PyTorch")
	flagPython      = flag.String("python", "/usr/bin/python3", "Python with PyTorch")
	flagDevice      = flag.String("device", "cpu", "cpu, or cuda (Go on XLA CUDA via GOMLX_BACKEND=xla:cuda, PyTorch on CUDA)")
	flagSide        = flag.String("side", "", "internal: run one side (go) of one model in this process")
	flagOnly        = flag.String("only", "", "run only one side: go or torch (default both)")
	flagProfile     = flag.String("cpuprofile", "", "with -side go: write a CPU profile of the timed steps")
	flagOMPWait     = flag.String("torch-omp-wait", "PASSIVE", "OMP_WAIT_POLICY for PyTorch: PASSIVE (the fair default), ACTIVE, or empty for the library's (spinning)")
	flagTorchMalloc = flag.String("torch-malloc", "keep", "glibc malloc for PyTorch: keep (the fair default: freed blocks stay in the process, no page faults per step) or default (glibc's thresholds)")
	flagLayerFilter = flag.String("layer", "", "with -side go -layers: only layers whose name contains this")
	flagLayers      = flag.Bool("layers", false, "time each layer alone (forward + input and weight gradients), Go then PyTorch")
	flagPin         = flag.Bool("pin", true, "run both sides' 1-thread steps on the same CPU (the first this process may use), so that they compare on one core")
	flagCores       = flag.Bool("cores", false, "each round also times both sides at 1 thread pinned to each CPU in turn, and prints each CPU's medians and the parallel efficiency (see EFFICIENCY above)")
)

func main() {
	flag.Parse()
	var err error
	if torchMallocEnv, err = torchMalloc(*flagTorchMalloc); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if *flagLayers && *flagSide == "" {
		if err := benchLayers(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *flagSide == "go" && *flagLayers {
		if err := runLayers(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *flagSide == "go" {
		if err := runGoSide(*flagModels); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	threads, err := threadCounts(*flagThreads)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if *flagRounds < 1 {
		fmt.Fprintf(os.Stderr, "bench: -rounds %d: want at least 1\n", *flagRounds)
		os.Exit(2)
	}
	allowed, err := allowedCPUs()
	if err != nil {
		if *flagCores {
			fmt.Fprintln(os.Stderr, "bench: -cores:", err)
			os.Exit(2)
		}
		fmt.Printf("# 1-thread runs unpinned: %v\n", err)
	}
	pin1 := -1 // the CPU of the 1-thread runs (-pin), or -1
	if *flagPin && len(allowed) > 1 {
		pin1 = allowed[0]
	}
	var cpus []int // -cores: the CPUs to pin the extra 1-thread runs to
	if *flagCores {
		cpus = allowed
	}
	for _, m := range strings.Split(*flagModels, ",") {
		m = strings.TrimSpace(m)
		// goS[i], torchS[i]: the step medians of thread count threads[i], one per round.
		goS, torchS := make([][]float64, len(threads)), make([][]float64, len(threads))
		// goCPU[j], torchCPU[j]: the 1-thread step medians pinned to cpus[j], one per round.
		goCPU, torchCPU := make([][]float64, len(cpus)), make([][]float64, len(cpus))
		for range *flagRounds {
			var onPin1 *pair // this round's 1-thread run on pin1, if any
			for i, n := range threads {
				cpu := -1
				if n == 1 {
					cpu = pin1
				}
				r, err := benchModel(m, n, cpu)
				if err != nil {
					fmt.Fprintln(os.Stderr, "bench:", err)
					os.Exit(1)
				}
				goS[i] = append(goS[i], r.goRes.median)
				torchS[i] = append(torchS[i], r.torchRes.median)
				if cpu >= 0 {
					onPin1 = &r
				}
			}
			for j, c := range cpus {
				var r pair
				if c == pin1 && onPin1 != nil {
					r = *onPin1 // -pin ran this CPU's 1-thread steps already
				} else if r, err = benchModel(m, 1, c); err != nil {
					fmt.Fprintln(os.Stderr, "bench:", err)
					os.Exit(1)
				}
				goCPU[j] = append(goCPU[j], r.goRes.median)
				torchCPU[j] = append(torchCPU[j], r.torchRes.median)
			}
			if last := len(threads) - 1; len(cpus) > 1 && threads[last] == len(cpus) {
				// This round's efficiency: on a shared host the CPUs' speeds
				// change from minute to minute, and with them the medians'.
				fmt.Printf("ROUND model=%s round=%d threads=%d go_eff=%.2f torch_eff=%.2f\n", m, len(goS[last]), threads[last],
					roundEfficiency(goCPU, goS[last]), roundEfficiency(torchCPU, torchS[last]))
			}
		}
		if *flagRounds > 1 {
			for i, n := range threads {
				g, t := medianOf(goS[i]), medianOf(torchS[i])
				fmt.Printf("MEDIAN model=%s threads=%d rounds=%d go_s=%.4f torch_s=%.4f ratio=%.2f\n", m, n, *flagRounds, g, t, safeDiv(g, t))
			}
		}
		if last := len(threads) - 1; last > 0 {
			fmt.Printf("SPEEDUP model=%s threads=%d->%d go=%.2f torch=%.2f\n", m, threads[0], threads[last],
				safeDiv(medianOf(goS[0]), medianOf(goS[last])), safeDiv(medianOf(torchS[0]), medianOf(torchS[last])))
		}
		if len(cpus) > 0 {
			goT, torchT := make([]float64, len(cpus)), make([]float64, len(cpus))
			for j, c := range cpus {
				goT[j], torchT[j] = medianOf(goCPU[j]), medianOf(torchCPU[j])
				fmt.Printf("CORE model=%s cpu=%d rounds=%d go_s=%.4f torch_s=%.4f\n", m, c, *flagRounds, goT[j], torchT[j])
			}
			if last := len(threads) - 1; threads[last] == len(cpus) && len(cpus) > 1 {
				fmt.Printf("EFFICIENCY model=%s threads=%d go=%.2f torch=%.2f\n", m, threads[last],
					safeDiv(idealTime(goT), medianOf(goS[last])), safeDiv(idealTime(torchT), medianOf(torchS[last])))
			}
		}
	}
}

// roundEfficiency is the parallel efficiency of the last round: perCPU[j]
// holds the 1-thread step medians on CPU j and all holds the all-CPU step
// medians, one per round each.
func roundEfficiency(perCPU [][]float64, all []float64) float64 {
	last := make([]float64, len(perCPU))
	for j, t := range perCPU {
		last[j] = t[len(t)-1]
	}
	return safeDiv(idealTime(last), all[len(all)-1])
}

// medianOf is the median of v, which it leaves unsorted.
func medianOf(v []float64) float64 {
	return median(slices.Sorted(slices.Values(v)))
}

// threadCounts parses -threads: distinct positive counts, in increasing order.
func threadCounts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-threads %q: want positive thread counts separated by commas, e.g. 1,2", s)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// torchMallocEnv is what -torch-malloc adds to PyTorch's environment.
var torchMallocEnv []string

// torchMalloc maps -torch-malloc to glibc's malloc settings. "keep" raises
// the mmap threshold to its 32 MiB maximum (blocks under it come from the
// heap, not from fresh pages) and the trim threshold to 64 GiB (freed heap
// memory is not handed back), as Go's heap keeps the memory it frees.
func torchMalloc(mode string) ([]string, error) {
	switch mode {
	case "keep":
		return []string{"MALLOC_MMAP_THRESHOLD_=33554432", "MALLOC_TRIM_THRESHOLD_=68719476736"}, nil
	case "default":
		return nil, nil
	}
	return nil, fmt.Errorf("-torch-malloc %q: want keep or default", mode)
}

// pair is one model's figures at one thread count, both sides.
type pair struct{ goRes, torchRes result }

// result is what a child reports: the median step time and its peak RSS.
type result struct {
	median float64
	cpu    float64 // CPU seconds (user+system, all threads) per timed step
	rssMB  float64
	faults float64 // minor page faults per timed step
}

// benchModel times model m on both sides with the given threads, pinned to
// CPU cpu when cpu >= 0 (then threads is 1), and prints its BENCH line.
func benchModel(m string, threads, cpu int) (pair, error) {
	if m != "dcgan" && m != "dqn" && m != "dqn-small" {
		return pair{}, fmt.Errorf("unknown model %q (want dcgan, dqn or dqn-small)", m)
	}
	load, _ := os.ReadFile("/proc/loadavg")
	pinned := ""
	if cpu >= 0 {
		pinned = fmt.Sprintf(" cpu=%d", cpu)
	}
	fmt.Printf("# %s: %d threads%s, %d warm-up + %d timed steps, device %s, PyTorch OMP_WAIT_POLICY=%q malloc %s, load %s", m, threads, pinned, *flagWarmup, *flagSteps, *flagDevice, *flagOMPWait, *flagTorchMalloc, load)
	self, err := os.Executable()
	if err != nil {
		return pair{}, err
	}
	var goRes, torchRes result
	if *flagOnly != "torch" {
		args := []string{"-side", "go", "-models", m, "-steps", strconv.Itoa(*flagSteps), "-warmup", strconv.Itoa(*flagWarmup)}
		if *flagProfile != "" {
			args = append(args, "-cpuprofile", *flagProfile)
		}
		cmd := exec.Command(self, args...)
		cmd.Env = append(os.Environ(), fmt.Sprintf("GOMAXPROCS=%d", threads))
		if kernel.SIMDSupported() && !strings.Contains(os.Getenv("GODEBUG"), "simd=") {
			cmd.Env = append(cmd.Env, "GODEBUG="+kernel.SIMDGodebug) // as the Makefile and the notebook kernel run
		}
		if *flagDevice == "cuda" && os.Getenv(kernel.BackendEnv) == "" {
			cmd.Env = append(cmd.Env, kernel.BackendEnv+"=xla:cuda")
		}
		if goRes, err = runChild(cmd, cpu); err != nil {
			return pair{}, fmt.Errorf("go side of %s: %w", m, err)
		}
	}
	if *flagOnly != "go" {
		script := filepath.Join(sourceDir(), "torch_step.py")
		cmd := exec.Command(*flagPython, script, "--model", m, "--steps", strconv.Itoa(*flagSteps),
			"--warmup", strconv.Itoa(*flagWarmup), "--threads", strconv.Itoa(threads), "--device", *flagDevice)
		cmd.Env = torchEnv(threads)
		if torchRes, err = runChild(cmd, cpu); err != nil {
			return pair{}, fmt.Errorf("torch side of %s: %w", m, err)
		}
	}
	gf := gflopPerStep(m)
	ratio := 0.0
	if torchRes.median > 0 {
		ratio = goRes.median / torchRes.median
	}
	dev := ""
	if *flagDevice != "cpu" {
		dev = " device=" + *flagDevice
	}
	fmt.Printf("BENCH model=%s%s threads=%d%s go_s=%.4f torch_s=%.4f ratio=%.2f go_rss_mb=%.0f torch_rss_mb=%.0f gflop=%.2f go_gflops=%.1f torch_gflops=%.1f go_cpu_s=%.3f torch_cpu_s=%.3f go_faults=%.0f torch_faults=%.0f\n",
		m, dev, threads, pinned, goRes.median, torchRes.median, ratio, goRes.rssMB, torchRes.rssMB, gf, safeDiv(gf, goRes.median), safeDiv(gf, torchRes.median),
		goRes.cpu, torchRes.cpu, goRes.faults, torchRes.faults)
	return pair{goRes, torchRes}, nil
}

// benchLayers runs the per-layer timings of both sides, each in a child.
func benchLayers() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	load, _ := os.ReadFile("/proc/loadavg")
	threads, err := threadCounts(*flagThreads)
	if err != nil {
		return err
	}
	n := threads[len(threads)-1]
	fmt.Printf("# layers: %d threads, load %s", n, load)
	steps, warm := strconv.Itoa(*flagSteps), strconv.Itoa(*flagWarmup)
	goCmd := exec.Command(self, "-side", "go", "-layers", "-steps", steps, "-warmup", warm)
	goCmd.Env = append(os.Environ(), fmt.Sprintf("GOMAXPROCS=%d", n))
	goCmd.Stdout, goCmd.Stderr = os.Stdout, os.Stderr
	if err := goCmd.Run(); err != nil {
		return err
	}
	pyCmd := exec.Command(*flagPython, filepath.Join(sourceDir(), "torch_step.py"), "--layers",
		"--steps", steps, "--warmup", warm, "--threads", strconv.Itoa(n), "--device", *flagDevice)
	pyCmd.Env = torchEnv(n)
	pyCmd.Stdout, pyCmd.Stderr = os.Stdout, os.Stderr
	return pyCmd.Run()
}

// torchEnv is PyTorch's environment: its thread counts, -torch-omp-wait and -torch-malloc.
func torchEnv(threads int) []string {
	env := append(os.Environ(), fmt.Sprintf("OMP_NUM_THREADS=%d", threads), fmt.Sprintf("OPENBLAS_NUM_THREADS=%d", threads))
	if *flagOMPWait != "" {
		env = append(env, "OMP_WAIT_POLICY="+*flagOMPWait)
	}
	return append(env, torchMallocEnv...)
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// sourceDir is the bench/ folder: where this file is, or ./bench from the
// repository root when run from a built binary elsewhere.
func sourceDir() string {
	if d := os.Getenv("ARCADE_BENCH_DIR"); d != "" {
		return d
	}
	if _, err := os.Stat("bench/torch_step.py"); err == nil {
		return "bench"
	}
	exe, _ := os.Executable()
	return filepath.Dir(exe)
}

// runChild runs cmd (pinned to CPU cpu when cpu >= 0), passes its stderr
// through, and reads "RESULT median_s=X" from its stdout; the peak RSS comes
// from the child's rusage.
func runChild(cmd *exec.Cmd, cpu int) (result, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	err := startPinned(cmd, cpu)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		return result{}, fmt.Errorf("%v: %w\n%s", cmd.Args, err, out.String())
	}
	var res result
	sc := bufio.NewScanner(&out)
	found := false
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "RESULT median_s="); ok {
			fields := strings.Fields(v)
			f, err := strconv.ParseFloat(fields[0], 64)
			if err != nil {
				return result{}, fmt.Errorf("bad line %q", line)
			}
			res.median, found = f, true
			for _, fl := range fields[1:] {
				if c, ok := strings.CutPrefix(fl, "cpu_s="); ok {
					res.cpu, _ = strconv.ParseFloat(c, 64)
				}
				if c, ok := strings.CutPrefix(fl, "faults="); ok {
					res.faults, _ = strconv.ParseFloat(c, 64)
				}
			}
		} else {
			fmt.Println("#", line)
		}
	}
	if !found {
		return result{}, fmt.Errorf("%v printed no RESULT line:\n%s", cmd.Args, out.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.rssMB = float64(ru.Maxrss) / 1024 // Linux: KiB
	}
	return res, nil
}

// runGoSide times the Go step of one model in this process.
func runGoSide(m string) error {
	backend := kernel.Backend()
	store := model.NewStore()
	store.RootScope().SetParam(model.ParamInitialSeed, int64(1))
	rng := rand.New(rand.NewPCG(1, 2))
	randn := func(dims ...int) *tensors.Tensor {
		n := 1
		for _, d := range dims {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(rng.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(data, dims...)
	}
	var step func() error
	switch m {
	case "dcgan":
		exec, err := model.NewExec(backend, store, dcganStep)
		if err != nil {
			return err
		}
		real := randn(16, 3, 64, 64)
		step = func() error {
			out, err := exec.Exec(real, randn(16, 100, 1, 1))
			for _, t := range out {
				t.MustConstFlatData(func(any) {})
			}
			return err
		}
	case "dqn", "dqn-small":
		qnet := dqn.QNet
		if m == "dqn-small" {
			qnet = dqn.SmallQNet
		}
		exec, err := model.NewExec(backend, store, dqnStep(qnet))
		if err != nil {
			return err
		}
		s, s2 := randn(32, 4, 64, 64), randn(32, 4, 64, 64)
		a := make([]int32, 32)
		r, term := make([]float32, 32), make([]float32, 32)
		for i := range a {
			a[i] = int32(i % 2)
			r[i] = 0.1
		}
		step = func() error {
			out, err := exec.Exec(s, tensors.FromFlatDataAndDimensions(a, 32),
				tensors.FromFlatDataAndDimensions(r, 32), tensors.FromFlatDataAndDimensions(term, 32), s2)
			for _, t := range out {
				t.MustConstFlatData(func(any) {})
			}
			return err
		}
	default:
		return fmt.Errorf("unknown model %q", m)
	}
	for range *flagWarmup {
		if err := step(); err != nil {
			return err
		}
	}
	stopProfile := startProfile(*flagProfile)
	cpu0, faults0 := cpuSeconds(), minorFaults()
	times := make([]float64, 0, *flagSteps)
	for range *flagSteps {
		t0 := time.Now()
		if err := step(); err != nil {
			return err
		}
		times = append(times, time.Since(t0).Seconds())
	}
	cpu := (cpuSeconds() - cpu0) / float64(*flagSteps)
	faults := float64(minorFaults()-faults0) / float64(*flagSteps)
	stopProfile()
	slices.Sort(times)
	fmt.Printf("go %s steps: %s\n", m, fmtTimes(times))
	fmt.Printf("RESULT median_s=%.5f cpu_s=%.4f faults=%.0f\n", median(times), cpu, faults)
	return nil
}

// cpuSeconds is this process's user+system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// minorFaults is this process's count of minor page faults so far.
func minorFaults() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Minflt
}

func median(t []float64) float64 {
	n := len(t)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return t[n/2]
	}
	return (t[n/2-1] + t[n/2]) / 2
}

func fmtTimes(t []float64) string {
	parts := make([]string, len(t))
	for i, v := range t {
		parts[i] = fmt.Sprintf("%.3f", v)
	}
	return strings.Join(parts, " ")
}
