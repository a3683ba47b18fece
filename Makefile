# kvmtui: `make run` builds and starts it; `make test` runs every test.
GO      ?= go
SHELL   := /bin/bash
BIN     := bin/kvmtui
# kvmtui --version names the commit it was built from.
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -X kvmtui/cmd.version=$(VERSION)
# Tests against the real daemon use this URI; `make test` starts libvirtd.
export KVMTUI_TEST_URI ?= qemu:///system

.PHONY: run build man deb deps test test-deps unit bench fuzz clean

run: build
	./$(BIN) $(ARGS)

build: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

# Man pages from the command definitions: man ./bin/man/kvmtui.1
man: deps
	$(GO) run ./cmd/genman bin/man

# A Debian package, bin/kvmtui_VERSION_ARCH.deb: the binary, its man pages and
# completions; Depends from the libraries it links (packaging/deb.sh).
DEB_DIR ?= bin
deb: build
	@packaging/deb.sh $(BIN) $(VERSION) $(DEB_DIR)

deps:
	@testdata/scripts/build-deps.sh

# Everything: unit, test-driver, real-libvirtd and tmux end-to-end tests.
# The migration tests start a second libvirtd (testdata/scripts/libvirtd-peer.sh),
# stopped when the run ends. A libvirtd crash during the run (restarted by
# libvirtd-up.sh's supervisor) is printed at the end.
# KVMTUI_REQUIRE_ALL: a missing prerequisite fails its test instead of
# skipping it; testsum prints the failures and skips and counts them.
CRASHES := /var/log/libvirt/kvmtui-crashes.log
test: export KVMTUI_REQUIRE_ALL := 1
test: test-deps
	$(GO) vet ./...
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .
	rm -f $(CRASHES)
	set -o pipefail; trap 'testdata/scripts/libvirtd-peer.sh stop; \
		[ ! -s $(CRASHES) ] || { echo "libvirtd crashed during the run:"; cat $(CRASHES); }' EXIT; \
		{ (cd third_party/bubbletea && $(GO) test -json -count=1 .) && \
		KVMTUI_BIN=$(CURDIR)/$(BIN) $(GO) test -json -p 1 -timeout 25m -count=1 ./...; } | $(GO) run ./tools/testsum

test-deps: deps
	@testdata/scripts/libvirtd-up.sh

# Fast tests only: no real daemon needed (real-daemon tests say they skip).
unit: deps
	KVMTUI_TEST_URI= $(GO) test -count=1 ./...

# Go benchmarks, then the measured costs on the real daemon (testdata/bench/cost.sh, screen.sh,
# slowlink.sh) and of a fleet of test-driver hosts (fleet.sh).
bench: build test-deps
	$(GO) test -run '^$$' -bench . -benchmem ./tui/ ./libvirtx/ ./perf/ ./termimg/
	testdata/bench/cost.sh $(BIN)
	testdata/bench/screen.sh $(BIN)
	testdata/bench/slowlink.sh $(BIN)
	testdata/bench/fleet.sh $(BIN)

# -fuzzminimizetime 0: minimizing a new input stalls for minutes on 2 cores.
fuzz: deps
	for p in ./devices/ ./xmlpatch/; do \
		for f in $$($(GO) test -list 'Fuzz.*' $$p | grep ^Fuzz); do \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 20s -fuzzminimizetime 0 $$p || exit 1; done; done

clean:
	rm -rf bin
