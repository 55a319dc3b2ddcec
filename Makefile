# Arcade: `make notebook` to learn, `make test` to check everything.
#
# Every go command here uses the toolchain go.mod asks for, and GoMLX's SIMD
# kernels where the CPU has AVX2/AVX-512.

export GOTOOLCHAIN := go1.27.4
ifneq ($(shell grep -qwE 'avx2|avx512f' /proc/cpuinfo 2>/dev/null && echo yes),)
export GOEXPERIMENT ?= simd
# Full-width vectors for GoMLX's element-wise ops on AVX2 CPUs without
# VPCLMULQDQ (kernel.SIMDGodebug says why); other GODEBUG settings are kept.
comma := ,
export GODEBUG := $(if $(GODEBUG),$(GODEBUG)$(comma))simd=+
endif

GO          ?= go
PYTHON      ?= /usr/bin/python3
# The Debian packages the notebooks need: the server, the headless runner and
# the kernel client (TEST_APT_PKGS: what `make test` alone needs).
APT_PKGS      ?= jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client
TEST_APT_PKGS ?= jupyter-nbconvert python3-nbclient jupyter-client
# What the browser test needs besides: Debian's Chromium, the Notebook server,
# and fonts (the DQN notebook quotes its source article's Chinese title).
BROWSER_APT_PKGS ?= chromium jupyter-notebook fonts-dejavu-core fonts-wqy-zenhei
# Time budget for every training cell while testing (kernel.Budget reads it).
ARCADE_BUDGET ?= 40s
# gopls for Tab completion and Shift-Tab help in the notebooks (an exact
# version the module proxy serves; kernel.GoplsVersion says the same).
GOPLS_VERSION ?= v0.22.0
# Seconds a single notebook cell may run under `make test` before it fails.
CELL_TIMEOUT ?= 900
NOTEBOOKS   ?= $(sort $(wildcard notebooks/*.ipynb))
PORT        ?= 8888
# `make test` installs the kernel into this private Jupyter data dir, so the
# tests use this checkout's kernel and leave ~/.local/share/jupyter alone.
TEST_JUPYTER_DATA_DIR ?= $(CURDIR)/runs/jupyter-test

comma := ,

.PHONY: gan-study dqn-study all arcade help notebook notebook-guard serve git-filter test test-go test-notebooks test-browser test-interrupt vet tools kernel info deps deps-test deps-browser bench clean

# `make` alone builds the arcade command into bin/ (this works where Go's
# go.env says GOTOOLCHAIN=local, as Debian's and Ubuntu's packaged Go do: the
# Makefile asks for go1.27.4 itself), then lists the other targets.
all: arcade help

arcade:
	$(GO) build -o bin/arcade ./cmd/arcade
	@echo "built bin/arcade: try bin/arcade info"

help:
	@echo "make                 build bin/arcade (then: bin/arcade info, bin/arcade train dqn ...)"
	@echo "make notebook        install what is missing (Jupyter, gonb, gopls, the 'arcade' kernel), then serve notebooks/ (JupyterLab if installed)"
	@echo "make test            go vet, go test ./..., every notebook run in headless Chromium (ARCADE_BUDGET=$(ARCADE_BUDGET)), the interrupt check"
	@echo "make test-go         go vet and go test only (-race for RACE_PKGS)"
	@echo "make test-browser    only the notebooks in Chromium (NOTEBOOKS=notebooks/00_welcome.ipynb to pick); screenshots in runs/browser-test/"
	@echo "make test-notebooks  the notebooks headless through nbclient, no browser (NOTEBOOKS=... to pick)"
	@echo "make tools           build the pinned gonb, goimports, gopls and nbstrip into bin/"
	@echo "make kernel          tools + the Jupyter kernel spec 'arcade' (what 'arcade kernel install' does)"
	@echo "make info            backend, devices, versions, checkpoint folder (go run ./cmd/arcade info)"
	@echo "make deps            install the Debian Jupyter packages if missing (apt-get; sudo when not root)"
	@echo "make bench           Go and PyTorch training steps side by side, at 1 thread and all cores (installs PyTorch)"
	@echo "make gan-study       the GAN recipes' study (models/dcgan/README.md); about an hour"
	@echo "make dqn-study       the DQN study (models/dqn/README.md); 20 minutes per run"

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

# deps-browser: Chromium and the Notebook server, for the browser test.
deps-browser:
	@if $(PYTHON) -c 'import notebook' 2>/dev/null && command -v chromium >/dev/null 2>&1; then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing $(BROWSER_APT_PKGS) with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_APT_PKGS) >/dev/null; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		echo "installing $(BROWSER_APT_PKGS) with sudo apt-get"; \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_APT_PKGS) >/dev/null; \
	else \
		echo "the browser test needs Chromium and Jupyter Notebook: sudo apt-get install $(BROWSER_APT_PKGS)" >&2; exit 1; \
	fi

tools:
	$(GO) build -o bin/gonb github.com/janpfeifer/gonb
	$(GO) build -o bin/goimports golang.org/x/tools/cmd/goimports
	cd /tmp && GOFLAGS= GOBIN=$(CURDIR)/bin $(GO) install golang.org/x/tools/gopls@$(GOPLS_VERSION)
	$(GO) build -o bin/nbstrip ./internal/notebook/cmd/nbstrip

kernel:
	$(GO) run ./kernel/cmd/installkernel

# git-filter makes git store and diff the notebooks without their outputs
# (bin/nbstrip, a "clean" filter named in .gitattributes), so running a
# notebook and saving it does not dirty the tree; the outputs stay on disk.
git-filter:
	@$(GO) build -o bin/nbstrip ./internal/notebook/cmd/nbstrip
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git config filter.arcade-nbstrip.clean bin/nbstrip; \
		echo "git stores notebooks/*.ipynb without outputs (filter arcade-nbstrip: bin/nbstrip)"; \
	fi

info:
	@$(GO) run ./cmd/arcade info

# notebook serves notebooks/ with JupyterLab when it is installed, else with
# Notebook 6 (Debian's jupyter-notebook), on 127.0.0.1 without opening a
# browser. Jupyter prints the URL it listens on, with its login token (port
# PORT, or the next free one): open it in a browser. Ctrl-C stops the server.
notebook: notebook-guard deps kernel git-filter serve

# NOTEBOOK_IP is the address the server binds. The GoNB kernel runs any
# code, so the server stays on the loopback and behind Jupyter's token:
# another address, or an empty JUPYTER_TOKEN, is refused (notebook-guard)
# unless ARCADE_ALLOW_PUBLIC=1.
NOTEBOOK_IP ?= 127.0.0.1
notebook-guard:
	@if [ "$$ARCADE_ALLOW_PUBLIC" != 1 ]; then \
		case "$(NOTEBOOK_IP)" in 127.0.0.1|localhost|::1) ;; \
		*) echo "refusing to serve on $(NOTEBOOK_IP): anyone who reaches it could run code; keep 127.0.0.1 or set ARCADE_ALLOW_PUBLIC=1" >&2; exit 1;; esac; \
		if [ -n "$${JUPYTER_TOKEN+set}" ] && [ -z "$$JUPYTER_TOKEN" ]; then \
			echo "refusing to serve with an empty JUPYTER_TOKEN: unset it (Jupyter makes a token) or set ARCADE_ALLOW_PUBLIC=1" >&2; exit 1; fi; \
	fi

# serve starts the server alone (the browser test starts it the same way).
# The log shows errors only (and the URL banner); Go test files and
# README.md are not listed beside the notebooks. JUPYTER_UI=notebook picks
# Notebook 6 even when JupyterLab is installed (lab: JupyterLab or fail);
# NOTEBOOK_DIR serves another folder (the browser test's copy).
JUPYTER_UI ?= auto
NOTEBOOK_DIR ?= notebooks
JUPYTER_HIDE := $(foreach g,__pycache__ *.pyc .ipynb_checkpoints *.go README.md *~,--ContentsManager.hide_globs='$(g)')
serve: notebook-guard
	@root_flag=""; if [ "$$(id -u)" = 0 ]; then root_flag="--allow-root"; fi; \
	export PYDEVD_DISABLE_FILE_VALIDATION=1; \
	cd $(NOTEBOOK_DIR) && if [ "$(JUPYTER_UI)" != notebook ] && command -v jupyter-lab >/dev/null 2>&1 && jupyter-lab --version >/dev/null 2>&1; then \
		echo "starting JupyterLab: open the URL it prints below (with its token)"; \
		exec jupyter-lab --no-browser --ip=$(NOTEBOOK_IP) --port=$(PORT) --log-level=ERROR $(JUPYTER_HIDE) $$root_flag; \
	elif [ "$(JUPYTER_UI)" = lab ]; then \
		echo "JUPYTER_UI=lab but jupyter-lab is not installed (pip install jupyterlab)" >&2; exit 3; \
	else \
		echo "starting Jupyter Notebook: open the URL it prints below (with its token)"; \
		exec $(PYTHON) -m notebook --no-browser --ip=$(NOTEBOOK_IP) --port=$(PORT) --log-level=ERROR $(JUPYTER_HIDE) $$root_flag; \
	fi

# ---------------------------------------------------------------- checks

# test runs the notebooks in the browser (which executes them all, as
# test-notebooks does headless) and then the interrupt check.
test: test-go test-browser test-interrupt

vet:
	$(GO) vet ./...

# RACE_PKGS start goroutines (kernel's interrupt watcher and XLA probe, the
# DQN's actors, flappy's input loop, the patched backend's parallel kernels in
# computecheck) or share state between them (plots' live figures, two writers
# of one file in atomicfile's test): they run under the race detector, the
# rest as plain go test.
RACE_PKGS ?= ./kernel/... ./models/dqn/... ./plots/... ./envs/flappy/... ./internal/atomicfile/... ./third_party/computecheck/...
# compute's AVX2/AVX-512 matmul kernels keep addresses in integers, which the
# race detector's pointer check (checkptr) rejects in every GoMLX matmul
# (third_party/README.md: diagnosed, not yet patched). The race detector
# itself stays on; only that check is off.
RACE_CHECKPTR ?= -gcflags=all=-d=checkptr=0

# COMPUTE_PKGS: the packages of the patched backend (third_party/compute, its
# own module) that our patches change, with their tests and ours in them.
COMPUTE_PKGS ?= ./internal/gobackend/ ./internal/gobackend/ops/ ./internal/gobackend/dot/... ./internal/gobackend/passes/

# On a CPU with AVX-512, computecheck and the graph passes' tests run a second
# time with it off (GOMLX_GO_SIMD_AVX512=false), for the AVX2 kernels and
# wiring the other CPUs take.
HAS_AVX512 := $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo yes)

test-go: vet
	$(GO) test -race $(RACE_CHECKPTR) $(RACE_PKGS)
	race="$$($(GO) list $(RACE_PKGS))" && $(GO) test $$($(GO) list ./... | grep -vxF "$$race")
	cd third_party/compute && $(GO) test $(COMPUTE_PKGS)
	$(if $(HAS_AVX512),GOMLX_GO_SIMD_AVX512=false $(GO) test -count=1 ./third_party/computecheck/)
	$(if $(HAS_AVX512),cd third_party/compute && GOMLX_GO_SIMD_AVX512=false $(GO) test -count=1 ./internal/gobackend/passes/)

test-notebooks: deps-test
	JUPYTER_DATA_DIR=$(TEST_JUPYTER_DATA_DIR) $(GO) run ./kernel/cmd/installkernel -gopls=false
	JUPYTER_DATA_DIR=$(TEST_JUPYTER_DATA_DIR) ARCADE_BUDGET=$(ARCADE_BUDGET) \
		$(PYTHON) .ci/run_notebooks.py --timeout $(CELL_TIMEOUT) --out runs/notebook-test $(NOTEBOOKS)
	JUPYTER_DATA_DIR=$(TEST_JUPYTER_DATA_DIR) $(PYTHON) .ci/check_interrupt.py

# test-browser starts the server as `make serve` does (Notebook 6, then
# JupyterLab too when installed) and has headless Chromium open each notebook
# and run all its cells (internal/notebook/browser_test.go).
test-browser: deps-test deps-browser
	JUPYTER_DATA_DIR=$(TEST_JUPYTER_DATA_DIR) $(GO) run ./kernel/cmd/installkernel -gopls=false
	JUPYTER_DATA_DIR=$(TEST_JUPYTER_DATA_DIR) ARCADE_BUDGET=$(ARCADE_BUDGET) ARCADE_BROWSER_TEST=1 \
		ARCADE_TEST_NOTEBOOKS="$(NOTEBOOKS)" ARCADE_CELL_TIMEOUT=$(CELL_TIMEOUT) \
		$(GO) test -count=1 -timeout 60m -run Browser -v ./internal/notebook

test-interrupt: deps-test
	JUPYTER_DATA_DIR=$(TEST_JUPYTER_DATA_DIR) $(GO) run ./kernel/cmd/installkernel -gopls=false
	JUPYTER_DATA_DIR=$(TEST_JUPYTER_DATA_DIR) $(PYTHON) .ci/check_interrupt.py

# ---------------------------------------------------------------- studies

# gan-study trains the GAN recipes of models/dcgan/README.md's table, one
# after the other (runs with a record in models/dcgan/study/results-2026-12-01
# are not trained again: delete a run's folder to rerun it; an interrupted run
# resumes), and prints the table: 1.5 to 7 minutes a run on 2 cores, about an
# hour in all. models/dcgan/study/results holds the first study
# (2026-11-30): `go run ./models/dcgan/study -table` reprints it.
gan-study:
	$(GO) run ./models/dcgan/study -out models/dcgan/study/results-2026-12-01

# dqn-study trains the DQN runs of models/dqn/README.md's table, the fast
# preset on seeds 1-3 and with the port's network on seed 1, 20 minutes of
# both cores each, one after the other
# (runs with a record in models/dqn/study/results-2026-12-01 are not trained
# again: delete a run's folder to rerun it; an interrupted run resumes), lets
# each best model play unseen games, and prints the table and draws the
# learning curves. models/dqn/study/results holds the first study (45 minutes
# a run, 2026-11-30): `go run ./models/dqn/study -table` reprints it.
dqn-study:
	$(GO) run ./models/dqn/study -out models/dqn/study/results-2026-12-01 -minutes 20 -runs fast-s1,fast-s2,fast-s3,fast-refnet-s1

# ---------------------------------------------------------------- benchmarks
# >>> bench (owned by the nn/bench helper)
# bench: one DCGAN step (batch 16, both networks, both Adam updates) and one DQN
# step (batch 32, target forward included) in Go (GoMLX, models/nn) and in
# PyTorch (bench/torch_step.py) on the same cores, side by side; prints
# "BENCH model=... go_s=... torch_s=... ratio=... go_rss_mb=... torch_rss_mb=..."
# per model, thread count and round (3 rounds), then MEDIAN and SPEEDUP lines.
# BENCH_ARGS passes flags (e.g. "-threads 1 -steps 20 -models dqn -rounds 1";
# "-cores" adds 1-thread runs pinned to each CPU and the parallel efficiency).
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
	rm -rf bin runs/notebook-test runs/jupyter-test runs/browser-test
