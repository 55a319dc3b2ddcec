# Arcade: `make notebook` to learn, `make test` to check everything.
#
# Every go command here uses the toolchain go.mod asks for, and GoMLX's SIMD
# kernels where the CPU has AVX2/AVX-512.

export GOTOOLCHAIN := go1.27.4
ifneq ($(shell grep -qwE 'avx2|avx512f' /proc/cpuinfo 2>/dev/null && echo yes),)
export GOEXPERIMENT ?= simd
endif

GO          ?= go
PYTHON      ?= /usr/bin/python3
# The Debian packages the notebooks need: the server, the headless runner and
# the kernel client (TEST_APT_PKGS: what `make test` alone needs).
APT_PKGS      ?= jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client
TEST_APT_PKGS ?= jupyter-nbconvert python3-nbclient jupyter-client
# Time budget for every training cell while testing (kernel.Budget reads it).
ARCADE_BUDGET ?= 40s
# Seconds a single notebook cell may run under `make test` before it fails.
CELL_TIMEOUT ?= 900
NOTEBOOKS   ?= $(sort $(wildcard notebooks/*.ipynb))
PORT        ?= 8888
# `make test` installs the kernel into this private Jupyter data dir, so the
# tests use this checkout's kernel and leave ~/.local/share/jupyter alone.
TEST_JUPYTER_DATA_DIR ?= $(CURDIR)/runs/jupyter-test

comma := ,

.PHONY: all help notebook test test-go test-notebooks vet tools kernel info deps deps-test bench clean

all: help

help:
	@echo "make notebook        install what is missing (Jupyter, gonb, the 'arcade' kernel) and serve notebooks/ on 127.0.0.1:$(PORT)"
	@echo "make test            go vet, go test ./..., then every notebook run headless through GoNB (ARCADE_BUDGET=$(ARCADE_BUDGET))"
	@echo "make test-go         go vet and go test only (-race for RACE_PKGS)"
	@echo "make test-notebooks  only the notebooks (NOTEBOOKS=notebooks/00_welcome.ipynb to pick)"
	@echo "make tools           build the pinned gonb and goimports into bin/"
	@echo "make kernel          tools + the Jupyter kernel spec 'arcade' (what 'arcade kernel install' does)"
	@echo "make info            backend, devices, versions, checkpoint folder (go run ./cmd/arcade info)"
	@echo "make deps            install the Debian Jupyter packages if missing (apt-get; sudo when not root)"

# ---------------------------------------------------------------- set-up

# deps installs the Debian Jupyter packages when they are missing: as root
# directly, else through sudo; without either it prints what to install.
# deps-test does the same for what `make test` needs (no server).
define apt_install
	@if $(PYTHON) -c 'import $(1)' 2>/dev/null; then \
		exit 0; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "Jupyter is missing (python module $(1)): install Jupyter Notebook and nbclient for $(PYTHON), then make $(MAKECMDGOALS) again" >&2; \
		exit 1; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing $(2) with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(2); \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		echo "installing $(2) with sudo apt-get"; \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(2); \
	else \
		echo "Jupyter is missing and this user cannot install it: run 'sudo apt-get install $(2)', then make $(MAKECMDGOALS) again" >&2; \
		exit 1; \
	fi
endef

deps:
	$(call apt_install,nbclient$(comma) nbformat$(comma) jupyter_client$(comma) notebook,$(APT_PKGS))

deps-test:
	$(call apt_install,nbclient$(comma) nbformat$(comma) jupyter_client,$(TEST_APT_PKGS))

tools:
	$(GO) build -o bin/gonb github.com/janpfeifer/gonb
	$(GO) build -o bin/goimports golang.org/x/tools/cmd/goimports

kernel:
	$(GO) run ./kernel/cmd/installkernel

info:
	@$(GO) run ./cmd/arcade info

# notebook serves notebooks/ with JupyterLab when it is installed, else with
# Notebook 6 (Debian's jupyter-notebook). Jupyter prints the URL (with its
# login token) below; open it in a browser. Ctrl-C stops the server.
notebook: deps kernel
	@root_flag=""; if [ "$$(id -u)" = 0 ]; then root_flag="--allow-root"; fi; \
	cd notebooks && if command -v jupyter-lab >/dev/null 2>&1 && jupyter-lab --version >/dev/null 2>&1; then \
		echo "starting JupyterLab on http://127.0.0.1:$(PORT)/ (open the URL with the token printed below)"; \
		exec jupyter-lab --no-browser --ip=127.0.0.1 --port=$(PORT) $$root_flag; \
	else \
		echo "starting Jupyter Notebook on http://127.0.0.1:$(PORT)/ (open the URL with the token printed below)"; \
		exec $(PYTHON) -m notebook --no-browser --ip=127.0.0.1 --port=$(PORT) $$root_flag; \
	fi

# ---------------------------------------------------------------- checks

test: test-go test-notebooks

vet:
	$(GO) vet ./...

# RACE_PKGS start goroutines (kernel's interrupt watcher and XLA probe, the
# DQN's actors, flappy's input loop) or share state between them (plots' live
# figures): they run under the race detector, the rest as plain go test.
RACE_PKGS ?= ./kernel/... ./models/dqn/... ./plots/... ./envs/flappy/...

test-go: vet
	$(GO) test -race $(RACE_PKGS)
	race="$$($(GO) list $(RACE_PKGS))" && $(GO) test $$($(GO) list ./... | grep -vxF "$$race")

test-notebooks: deps-test
	JUPYTER_DATA_DIR=$(TEST_JUPYTER_DATA_DIR) $(GO) run ./kernel/cmd/installkernel
	JUPYTER_DATA_DIR=$(TEST_JUPYTER_DATA_DIR) ARCADE_BUDGET=$(ARCADE_BUDGET) \
		$(PYTHON) .ci/run_notebooks.py --timeout $(CELL_TIMEOUT) --out runs/notebook-test $(NOTEBOOKS)
	JUPYTER_DATA_DIR=$(TEST_JUPYTER_DATA_DIR) $(PYTHON) .ci/check_interrupt.py

# ---------------------------------------------------------------- benchmarks
# >>> bench (owned by the nn/bench helper)
# bench: one DCGAN step (batch 16, both networks, both Adam updates) and one DQN
# step (batch 32, target forward included) in Go (GoMLX, models/nn) and in
# PyTorch (bench/torch_step.py) on the same cores, side by side; prints
# "BENCH model=... go_s=... torch_s=... ratio=... go_rss_mb=... torch_rss_mb=..."
# per model. BENCH_ARGS passes flags (e.g. "-threads 1 -steps 20 -models dqn").
# bench-gpu: the same on a CUDA GPU (XLA vs PyTorch CUDA), see bench/gpu.sh.
.PHONY: bench-deps bench-gpu
BENCH_ARGS ?=
bench: bench-deps
	$(GO) build -o bin/arcade-bench ./bench
	ARCADE_BENCH_DIR=bench bin/arcade-bench -python $(PYTHON) $(BENCH_ARGS)

# bench-deps installs PyTorch with OpenBLAS (Debian's python3-torch,
# libopenblas0-pthread) when missing: as root directly, else through sudo.
bench-deps:
	@if $(PYTHON) -c 'import torch' 2>/dev/null && ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1; then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread; \
	else \
		echo "make bench needs PyTorch and OpenBLAS: apt-get install python3-torch libopenblas0-pthread"; exit 1; \
	fi

bench-gpu:
	bench/gpu.sh
# <<< bench

clean:
	rm -rf bin runs/notebook-test runs/jupyter-test
