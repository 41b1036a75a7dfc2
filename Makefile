# mxtop — `make help` lists the targets.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
GO      ?= go
# Integration tests (real dockerd, real iptables/ipset in a throwaway network namespace) are part
# of `make test`: they skip with a reason when the daemon or root is missing, and fail instead
# of skipping when CI=true.
TAGS    := integration

build:        ## Build ./bin/mxtop
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/mxtop ./cmd/mxtop

test:         ## go vet, then every test with the race detector
	$(GO) vet -tags $(TAGS) ./...
	$(GO) test -race -count=1 -tags $(TAGS) ./...

demo:         ## The live TUI on built-in demo traffic
	$(GO) run ./cmd/mxtop demo

golden:       ## Rewrite the UI golden files (review the diff!); ./ui is the only golden package
	$(GO) test ./ui -run Golden -update

fuzz:         ## Short fuzz run of the parser
	$(GO) test ./engine/parse -run '^$$' -fuzz FuzzParse -fuzztime 30s

stress:       ## Engine tests repeated on 1 and 4 CPUs
	$(GO) test -race -count 4 -cpu 1,4 ./engine/...

bench:        ## Parser benchmarks and whole-process runs against the seed's grep pipelines
	./.ci/bench/run.sh

help:         ## List targets
	@grep -E '^[a-zA-Z_-]+:.*?## .*$$' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "%-10s %s\n",$$1,$$2}'

.PHONY: build test demo golden fuzz stress bench help
