# secadvisor — developer entry points. `make demo` and `make test` work on a
# fresh machine with Go and moto_server (see README).

GO              ?= go
STATICCHECK     := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOBIN           ?= $(shell $(GO) env GOPATH)/bin
BIN             := bin
TEST_TIMEOUT    ?= 20m

.PHONY: all deps tools build test demo lint vet fmt-check staticcheck clean

all: build

## deps: download Go modules and install the linters; fail loudly on missing tools
deps: tools
	$(GO) mod download

tools:
	@command -v moto_server >/dev/null 2>&1 || { echo "error: moto_server not found on PATH (moto 5.2.1 with server extras is required for tests and the demo)"; exit 1; }
	$(GO) install $(STATICCHECK)

## build: the CLI
build:
	$(GO) build -o $(BIN)/secadvisor ./cmd/secadvisor

## test: vet and every test (evaluators, collectors on the emulator, CLI end to end)
test:
	@command -v moto_server >/dev/null 2>&1 || { echo "error: moto_server not found on PATH: the collector tests need it and never skip"; exit 1; }
	$(GO) vet ./...
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

## demo: start the emulator, seed a demo account, scan it, print the report, stop
demo:
	$(GO) run ./cmd/secadvisor demo

## lint: gofmt, go vet, staticcheck
lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	@test -x $(GOBIN)/staticcheck || $(GO) install $(STATICCHECK)
	$(GOBIN)/staticcheck ./...

clean:
	rm -rf $(BIN)
