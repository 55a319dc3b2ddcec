#!/usr/bin/env bash
# bench/gpu.sh: the DCGAN and DQN training steps on a CUDA GPU, Go (GoMLX on
# XLA through PJRT, models/nn's native-convolution path) beside PyTorch CUDA on
# the same GPU, in one run. It prints, per model,
#
#   BENCH model=dcgan device=cuda go_s=... torch_s=... ratio=... ...
#
# and the mean GPU utilisation (nvidia-smi, sampled every 100 ms) while each
# side runs alone.
#
#   bench/gpu.sh build        here: build bin/arcade-bench for linux/amd64 with cgo (go-xla needs it)
#   bench/gpu.sh run [flags]  on the GPU machine, from the repository root (flags go to arcade-bench)
#   bench/gpu.sh [flags]      both, on a GPU machine with Go installed
#
# On the GPU machine: PYTHON names a Python with a CUDA PyTorch (default python3);
# the PJRT CUDA plugin is found as `arcade info` finds it (PJRT_PLUGIN_LIBRARY_PATH,
# or a jax-cuda13-pjrt / jax-cuda13-plugin install); GOMLX_BACKEND defaults to xla:cuda.
# With this project's device tool: build here, then
#   run(command="bench/gpu.sh run", carry=["bin/arcade-bench"])
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
STEPS=${STEPS:-50}
WARMUP=${WARMUP:-10}

build() {
	export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.4}
	mkdir -p bin
	GOOS=linux GOARCH=amd64 CGO_ENABLED=1 go build -o bin/arcade-bench ./bench
	echo "built bin/arcade-bench ($(du -h bin/arcade-bench | cut -f1))"
}

# util MODEL SIDE FLAGS...: runs one side alone and prints its mean GPU utilisation.
util() {
	local model=$1 side=$2
	shift 2
	local log
	log=$(mktemp)
	nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits -lms 100 >"$log" &
	local smi=$!
	bin/arcade-bench -device cuda -threads "$(nproc)" -python "$PYTHON" -models "$model" -only "$side" \
		-steps "$STEPS" -warmup "$WARMUP" "$@" >/dev/null
	kill "$smi" 2>/dev/null || true
	wait "$smi" 2>/dev/null || true
	awk -v m="$model" -v s="$side" '{t+=$1; n++} END {if (n) printf "GPU_UTIL model=%s side=%s mean_pct=%.0f samples=%d\n", m, s, t/n, n}' "$log"
	rm -f "$log"
}

run() {
	if ! command -v nvidia-smi >/dev/null; then
		echo "bench/gpu.sh: no nvidia-smi here; run it on a machine with an NVIDIA GPU" >&2
		exit 1
	fi
	if [ ! -x bin/arcade-bench ]; then
		echo "bench/gpu.sh: bin/arcade-bench is missing: run 'bench/gpu.sh build' first (or carry it here)" >&2
		exit 1
	fi
	export ARCADE_BENCH_DIR=bench
	export GOMLX_BACKEND=${GOMLX_BACKEND:-xla:cuda}
	nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
	"$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))'
	bin/arcade-bench -device cuda -threads "$(nproc)" -python "$PYTHON" -steps "$STEPS" -warmup "$WARMUP" "$@"
	for m in dcgan dqn; do
		util "$m" go "$@"
		util "$m" torch "$@"
	done
}

case "${1:-}" in
build) build ;;
run)
	shift
	run "$@"
	;;
*)
	build
	run "$@"
	;;
esac
