# Fledge — developer and CI entry points. `make help` lists the targets.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# Targets below list their steps as prerequisites in the order they must run.
.NOTPARALLEL:

GO ?= go

# Tools are pinned and installed into the repository's bin/ (git-ignored),
# never into the user's GOPATH/bin, and always called by full path.
TOOLS_BIN := $(CURDIR)/bin
GOLANGCI_LINT_VERSION ?= v2.15.0
CONTROLLER_GEN_VERSION ?= v0.23.0
GOLANGCI_LINT := $(TOOLS_BIN)/golangci-lint
CONTROLLER_GEN := $(TOOLS_BIN)/controller-gen

# API packages controller-gen reads, and where the generated files land.
API_PATHS := ./core/api/...
CRD_DIR := deploy/crds

# The one version of the binaries and images, stamped with -ldflags (internal/version):
# `git describe --tags --always --dirty`, else "dev". `make build VERSION=v0.9.0` overrides it.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/fledge-canary/fledge/internal/version.stamp=$(VERSION)
BINARIES := fledge fledge-controller
# `make install` puts the binaries in $(PREFIX)/bin when PREFIX is set, else in $(GOBIN).
PREFIX ?=
INSTALL_DIR := $(if $(PREFIX),$(PREFIX)/bin,$(GOBIN))

# What `make image` builds (hack/imagebuild): ./cmd/$(IMAGE_BINARY) for these platforms.
IMAGE_BINARY ?= fledge-controller
IMAGE_PLATFORMS ?= linux/amd64,linux/arm64
IMAGE_REPOSITORY ?= ghcr.io/fledge-canary/$(IMAGE_BINARY)

# How many `fledge whatif --shard` processes `make bench-whatif` compares with one.
SHARDS ?= 2

# How long `make fuzz` runs each Fuzz target.
FUZZTIME ?= 30s

# The race detector needs cgo (a C compiler); without one the tests still run, loudly without it.
RACE := $(if $(filter 1,$(shell $(GO) env CGO_ENABLED)),-race,)

##@ General

.PHONY: help
help: ## Show this list of targets.
	@awk 'BEGIN {FS = ":.*## "} \
		/^##@/ { printf "\n%s\n", substr($$0, 5) } \
		/^[a-zA-Z0-9_-]+:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

##@ Build and test

.PHONY: build
build: ## Compile every package; bin/fledge and bin/fledge-controller with VERSION stamped.
	$(GO) build ./...
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/ $(addprefix ./cmd/,$(BINARIES))

.PHONY: install
install: ## Install fledge and fledge-controller (VERSION stamped) into PREFIX/bin, or GOBIN without PREFIX.
	mkdir -p "$(INSTALL_DIR)"
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o "$(INSTALL_DIR)/" $(addprefix ./cmd/,$(BINARIES))
	"$(INSTALL_DIR)/fledge" version
	@echo "fledge-controller version $$("$(INSTALL_DIR)/fledge-controller" -version)"

.PHONY: image
image: ## Build the OCI image of IMAGE_BINARY for IMAGE_PLATFORMS into bin/, without Docker (hack/imagebuild).
	$(GO) -C hack/imagebuild run . -C "$(CURDIR)" -out bin -binary "$(IMAGE_BINARY)" \
		-platforms "$(IMAGE_PLATFORMS)" -repository "$(IMAGE_REPOSITORY)" -version "$(VERSION)"

.PHONY: image-test
image-test: ## Build the image twice, run its entrypoint with -version, check config, SBOM and identical digests.
	$(GO) -C hack/imagebuild vet ./...
	$(GO) -C hack/imagebuild test $(RACE) -count=1 -timeout 30m ./...

.PHONY: test
test: purity vet fmt-check verify-generate unit image-test lint ## Everything CI runs: purity, vet, gofmt, generated code, tests, image, lint.

.PHONY: purity
purity: ## Check core/ stays pure (no wall clock, client-go, net/http or PromQL engine) and no file cites notes outside the repo.
	bash hack/check-core-purity.sh
	bash hack/check-standalone.sh

.PHONY: vet
vet: ## Run go vet.
	$(GO) vet ./...

.PHONY: fmt-check
fmt-check: ## Fail if any Go file is not gofmt-formatted.
	@files="$$(find . -name '*.go' -type f \
		-not -path './.git/*' -not -path './bin/*' -not -path './hack/bin/*' \
		-not -path './.cache/*' -not -path '*/testdata/*' -print0 | xargs -0r gofmt -l)"; \
	if [ -n "$$files" ]; then \
		echo "gofmt: these files need formatting (run gofmt -w on them):"; echo "$$files"; exit 1; \
	fi

.PHONY: unit
unit: ## Run all Go tests (unit, Ginkgo and envtest suites, scenarios, fuzz seeds) with the race detector.
	$(if $(RACE),,@echo "WARNING: cgo is disabled (no C compiler?); running tests WITHOUT -race")
	bash hack/install-chromium.sh
	KUBEBUILDER_ASSETS="$$(bash hack/envtest.sh)" $(GO) test $(RACE) -count=1 ./...

.PHONY: envtest
envtest: ## Build kube-apiserver and etcd for envtest from Go modules (cached in hack/bin/k8s).
	bash hack/envtest.sh

.PHONY: lint
lint: golangci-lint-bin ## Run golangci-lint (installs the pinned version if missing or different).
	$(GOLANGCI_LINT) run ./...
	cd hack/imagebuild && $(GOLANGCI_LINT) run ./...

.PHONY: bench
bench: ## Run the Go benchmarks.
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

.PHONY: bench-whatif
bench-whatif: ## Issue 14's figures: tutorial replay, 1,000 what-if runs, the 1-hour replay, README's sweep, shards (SHARDS=2).
	bash hack/bench-whatif.sh $(SHARDS)

.PHONY: bench-scale
bench-scale: ## The controller at FLEDGE_SCALE_N canaries (default 500) on envtest: BenchmarkControllerAtScale.
	KUBEBUILDER_ASSETS="$$(bash hack/envtest.sh)" $(GO) test -run '^$$' -bench ControllerAtScale -benchtime 1x -timeout 100m ./test/scale/

.PHONY: reliability
reliability: ## Run the exhaustive fault-injection matrix (FLEDGE_RELIABILITY=full; RELIABILITY.md has the figures).
	KUBEBUILDER_ASSETS="$$(bash hack/envtest.sh)" FLEDGE_RELIABILITY=full $(GO) test -tags reliability -count=1 -timeout 120m ./...

.PHONY: fuzz
fuzz: ## Run every Fuzz target for FUZZTIME each (default 30s).
	bash hack/fuzz.sh "$(FUZZTIME)"

##@ Code generation

.PHONY: generate
generate: controller-gen-bin ## Regenerate deepcopy code (core/api) and CRDs (deploy/crds).
	$(CONTROLLER_GEN) object paths=$(API_PATHS)
	$(CONTROLLER_GEN) crd:allowDangerousTypes=true paths=$(API_PATHS) output:crd:artifacts:config=$(CRD_DIR)
	bash hack/sync-chart-crds.sh

.PHONY: verify-generate
verify-generate: controller-gen-bin ## Regenerate and fail if the generated files (and the CRD copies in the chart and kustomize) were stale.
	bash hack/verify-generate.sh core/api $(CRD_DIR) -- $(MAKE) --no-print-directory generate
	bash hack/sync-chart-crds.sh --check

##@ Tools

# $(call ensure-tool,BINARY,PACKAGE,VERSION,VERSION-FLAG): install PACKAGE@VERSION into TOOLS_BIN
# unless BINARY exists and reports VERSION (a stale controller-gen would make verify-generate lie).
define ensure-tool
@have="$$("$(1)" $(4) 2>/dev/null || true)"; \
if ! grep -qE '(^|[^0-9.])$(subst .,\.,$(patsubst v%,%,$(3)))([^0-9.]|$$)' <<<"$$have"; then \
	echo "installing $(2)@$(3) into $(TOOLS_BIN)"; \
	GOBIN="$(TOOLS_BIN)" $(GO) install $(2)@$(3); \
fi
endef

.PHONY: tools
tools: golangci-lint-bin controller-gen-bin ## Install the pinned tools into ./bin.

.PHONY: golangci-lint-bin
golangci-lint-bin:
	$(call ensure-tool,$(GOLANGCI_LINT),github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION),version --short)

.PHONY: controller-gen-bin
controller-gen-bin:
	$(call ensure-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_GEN_VERSION),--version)
