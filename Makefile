# roibot — the two commands that matter: `make demo` and `make test`.
SHELL := /bin/bash
GO ?= go

.PHONY: demo test test-real-llm build db db-stop bench bench-peers vet clean attack

## demo: start the embedded PostgreSQL (fetched once: scripts/db.sh), migrate, import
## Online Retail and the synthetic marketing layer (first run only), then open the chat.
## DATABASE_URL, if set, wins.
demo: build
	@if [ -z "$$DATABASE_URL" ]; then DATABASE_URL=$$(scripts/db.sh start) || exit 1; export DATABASE_URL; fi; \
	./bin/roibot demo

## test: the whole suite against a throw-away embedded PostgreSQL on
## ROIBOT_TEST_DB_PORT (default 54330) (CI runs this).
test:
	scripts/test.sh

## test-real-llm: the LLM path against a real local model server (llama-cpp-python with a
## small packaged model; the first run builds it, 20-40 min). Not part of test. docs/llm.md.
test-real-llm:
	scripts/test-real-llm.sh

build:
	$(GO) build -o bin/roibot ./cmd/roibot

## attack: the attack suite at full counts, on the embedded PostgreSQL and on
## the system's PostgreSQL 15 when installed (a few minutes; not part of make test).
attack:
	scripts/attack.sh

## db: start the embedded PostgreSQL on ROIBOT_DB_PORT (default 54329; data in .pgdata/)
## and print its DATABASE_URL.
db:
	@scripts/db.sh start

db-stop:
	@scripts/db.sh stop

## bench: the benchmarks quoted in the README.
bench:
	$(GO) test -run '^$$' -bench . -benchtime=3x ./analytics ./knowledge ./slackbot ./tools

## bench-peers: roibot side by side with scikit-learn (K-means) and pyfim (FP-Growth) on the same
## files, interleaved, results checked equal first; prints medians and ratios. The peers go in a
## virtual environment in BENCH_VENV (default .venv-bench, git-ignored), created on first use.
BENCH_VENV ?= .venv-bench
bench-peers:
	@test -x $(BENCH_VENV)/bin/python || python3 -m venv $(BENCH_VENV)
	@$(BENCH_VENV)/bin/python -c 'import sklearn, fim, threadpoolctl' 2>/dev/null || \
		$(BENCH_VENV)/bin/pip install -q -r scripts/bench-peers-requirements.txt
	$(BENCH_VENV)/bin/python scripts/bench_peers.py $(BENCH_ARGS)

vet:
	gofmt -l $$(git ls-files '*.go') && $(GO) vet ./...

clean:
	scripts/db.sh stop || true
	rm -rf bin .pgdata .pglite
