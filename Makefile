# secadvisor — developer entry points. `make demo` and `make test` work on a
# fresh machine with Go and moto_server (see README).

GO              ?= go
STATICCHECK     := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The Lambda runtime interface emulator, pinned: functions/lambda_test.go runs
# the shipped bootstraps under it.
RIE             := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
BIN             := bin
# Pinned tools install themselves here on first use (never into the user's
# GOPATH): make test, make demo, make lint and make synth each need nothing
# installed beforehand beyond Go, moto, Node.js/npm and cfn-lint.
TOOLS           := $(CURDIR)/$(BIN)/tools
RIE_BIN         := $(TOOLS)/aws-lambda-rie
STATICCHECK_BIN := $(TOOLS)/staticcheck
TEST_TIMEOUT    ?= 20m
# Where the Lambda bootstraps go: the CDK app (infra/) deploys
# <LAMBDA_DIR>/<function>/bootstrap.
LAMBDA_DIR      := $(BIN)/lambda
# The CDK CLI pinned in package.json and package-lock.json (npm ci on first use).
CDK             := ./node_modules/.bin/cdk
# Node 20 is end-of-life for jsii (the CDK's Go bindings): silence its banner
# in the CDK app and the infra tests; no CLI telemetry.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := 1
# Extra CDK CLI arguments, e.g. make deploy CDK_ARGS="-c alertEmail=you@example.com"
CDK_ARGS        ?=

.PHONY: all deps need-moto need-npm need-cfn-lint need-chromium need-go tools build build-lambdas cdk-cli synth deploy destroy test test-infra demo lint vet fmt-check staticcheck clean

all: build

## deps: download everything ahead of time (Go modules, the CDK CLI, the pinned tools); optional:
## every target below installs what it needs by itself
deps: tools cdk-cli
	$(GO) mod download

# need-*: a missing tool fails loudly; tests never skip for want of one.
need-moto:
	@command -v moto_server >/dev/null 2>&1 || { echo "error: moto_server not found on PATH (moto 5.2.1 with server extras is required for tests and the demo)"; exit 1; }
need-npm:
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found on PATH (Node.js 20+ is required for the CDK)"; exit 1; }
need-cfn-lint:
	@command -v cfn-lint >/dev/null 2>&1 || { echo "error: cfn-lint not found on PATH (pip install cfn-lint; the infra tests lint the synthesized template)"; exit 1; }
# The HTML report's browser test drives headless Chromium ($CHROMIUM or on PATH): installed with apt-get as root, else an error.
need-chromium:
	@for b in "$$CHROMIUM" chromium chromium-browser google-chrome headless-shell; do [ -n "$$b" ] && command -v "$$b" >/dev/null 2>&1 && exit 0; done; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	else echo "error: Chromium not found (set CHROMIUM, or install it: sudo apt-get install chromium); the HTML report's browser test needs it"; exit 1; fi

tools: need-moto need-npm need-cfn-lint $(RIE_BIN) $(STATICCHECK_BIN)

$(RIE_BIN):
	GOBIN=$(TOOLS) $(GO) install $(RIE)

$(STATICCHECK_BIN):
	GOBIN=$(TOOLS) $(GO) install $(STATICCHECK)

$(CDK): package.json package-lock.json | need-npm
	npm ci --no-audit --no-fund
	@touch $(CDK)

## build: the CLI
build:
	$(GO) build -o $(BIN)/secadvisor ./cmd/secadvisor

## build-lambdas: the functions as Lambda's provided.al2023 runtime on arm64 runs them: the
## orchestrator, the notifier and the digest (./functions/<name>), and one bootstrap per check of
## internal/checks/all.go, linking only that check, from a main generated in bin/_lambda-mains
build-lambdas:
	$(GO) run ./cmd/secadvisor-lambdas -o $(LAMBDA_DIR) -goarch arm64

## docs: regenerate every document derived from the check catalog (internal/checks/all.go): the
## README's check table, docs/checks.md and the catalog metadata the Lambda functions embed
## (internal/catalog/catalog.json); the tests fail with "run make docs" when one is stale
.PHONY: docs
docs:
	$(GO) run ./cmd/secadvisor-docs

## cdk-cli: the pinned CDK CLI (npm ci from the lockfile when missing)
cdk-cli: $(CDK)

## synth: the CloudFormation templates in cdk.out/ (no network, no Docker): the scanner stack,
## and the member and events stacks when CDK_ARGS gives -c scannerAccount=<account ID>
## -c scannerRegion=<region> (docs/serverless.md)
synth: build-lambdas cdk-cli
	$(CDK) synth --quiet $(CDK_ARGS)
	@sed -n 's|.*"templateFile": *"\(.*\)".*|template: cdk.out/\1|p' cdk.out/manifest.json

## deploy: deploy the scanner stack with the current AWS credentials (after cdk bootstrap, see README)
deploy: build-lambdas cdk-cli
	$(CDK) deploy Secadvisor $(CDK_ARGS)

## destroy: delete the stack (the findings table is retained unless -c tableRemovalPolicy=destroy)
destroy: cdk-cli
	$(CDK) destroy Secadvisor $(CDK_ARGS)

## test: vet and every test (evaluators, collectors on the emulator, CLI end to end,
## the CDK stack: assertions, cdk-nag, cfn-lint on the synthesized template)
test: need-moto need-cfn-lint need-chromium vet $(RIE_BIN)
	SECADVISOR_RIE=$(RIE_BIN) $(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

## test-infra: only the CDK stack's tests (assertions, cdk-nag, cfn-lint)
test-infra: need-cfn-lint
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./infra

## demo: start the emulator, seed a demo account, scan it, print the report, stop
demo: need-moto
	$(GO) run ./cmd/secadvisor demo

## lint: gofmt, go vet, staticcheck
lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck: $(STATICCHECK_BIN)
	$(STATICCHECK_BIN) ./...

clean:
	rm -rf $(BIN) cdk.out

## bench: the benchmark (BENCHMARKS.md): its own emulator, the reference account at
## BENCH_SCALE (1.0 = issue 9's numbers), scans at the default concurrency and at 1, API calls
## against the minimum, steady-state store writes, Lambda sizes, the org-scale model
## (results JSON in bench/results/), then the evaluators' Go benchmarks
BENCH_SCALE     ?= 1.0
.PHONY: bench
bench: need-moto
	$(GO) run ./cmd/secadvisor-bench --scale $(BENCH_SCALE)
	$(GO) test -run '^$$' -bench . -benchmem ./internal/checks/securitygroupports/ ./internal/checks/securitygroupunrestricted/ ./internal/checks/s3bucketpermissions/ ./internal/credreport/

## fuzz: run every fuzz target for FUZZTIME each (targets: go test -list '^Fuzz' over the packages whose tests
## declare one); a crasher is saved in the package's testdata/fuzz as a regression seed that make test runs
FUZZTIME        ?= 30s
.PHONY: fuzz
fuzz:
	@pkgs=$$(grep -rl --include='*_test.go' --exclude-dir=node_modules --exclude-dir=testdata '^func Fuzz' . | xargs -r -n1 dirname | sort -u); \
	list=$$($(GO) test -list '^Fuzz' $$pkgs) || { echo "$$list"; exit 1; }; \
	targets=$$(echo "$$list" | awk '/^Fuzz/ { names = names " " $$1; next } /^ok/ { n = split(names, a, " "); for (i = 1; i <= n; i++) print $$2 "," a[i]; names = "" }'); \
	test -n "$$targets" || { echo "error: no fuzz target found"; exit 1; }; \
	for t in $$targets; do \
		pkg=$${t%,*}; name=$${t#*,}; \
		echo "fuzz $$pkg $$name for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done
