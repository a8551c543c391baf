# ArcNet build. `make` builds the library, the programs, the benchmarks and
# the tests; `make test` runs every test plain and under ASan + UBSan
# (and the cluster test of the distributed roles, plain);
# `make run` starts ArcNet on its embedded default. Libraries come from
# Debian and are found with pkg-config; scripts/install-deps installs
# whatever is missing.

CC       ?= gcc
PKGS     := libcjson msgpack sqlite3 libpq libwebsockets libcurl openssl \
            rdkafka inih
TEST_PKGS := cmocka

BUILD    ?= build
OPT      ?= -O2
SAN      ?=

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS   := -std=c17 -D_GNU_SOURCE $(OPT) -g $(WARN) -ffp-contract=off \
            -Isrc $(SAN)
LDLIBS   := -lm -lpthread

# The package list is resolved lazily so that `make deps` works on a
# machine where pkg-config does not know the packages yet.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

LIB_SRC  := $(sort $(wildcard src/*/*.c))
LIB_SRC  := $(filter-out src/bin/%,$(LIB_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libarcnet.a

BINS     := $(BUILD)/arcnet $(BUILD)/arcnetd
BENCHES  := $(patsubst bench/%.c,$(BUILD)/bench-%,$(wildcard bench/*.c))
TESTS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,\
              $(wildcard tests/unit/test_*.c))
# Fuzz targets, built with a driver that replays their corpus.
FUZZ     := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,\
              $(wildcard tests/fuzz/fuzz_*.c))
WS_CLIENT := $(BUILD)/itest/ws_client
# Helper programs for Kafka tests and benchmarks (the mock cluster).
KAFKA_HELPERS := $(patsubst tests/kafka/%.c,$(BUILD)/kafka/%,\
              $(wildcard tests/kafka/*.c))
# Helper programs of the cluster test (tests/cluster/).
CLUSTER_HELPERS := $(patsubst tests/cluster/%.c,$(BUILD)/cluster/%,\
              $(wildcard tests/cluster/*.c))

# The operations console (React + TypeScript in console/), built with
# npm when npm is installed; arcnetd serves console/dist at /.
NPM          := $(shell command -v npm 2>/dev/null)
CONSOLE_DEPS := console/node_modules/.package-lock.json
CONSOLE_DIST := console/dist/index.html
CONSOLE_SRC  := $(shell find console/src -type f 2>/dev/null) \
                console/index.html console/vite.config.ts \
                console/tsconfig.json

.SECONDARY:

.PHONY: all deps run test test-unit test-sanitize sanitize style bench \
        clean test-fuzz test-integration test-integration-sanitize \
        console test-console bench-console test-cluster

all: $(LIB) $(BINS) $(BENCHES) $(TESTS) $(FUZZ) $(WS_CLIENT) \
     $(KAFKA_HELPERS) $(CLUSTER_HELPERS)

all: $(if $(NPM),$(CONSOLE_DIST))

deps:
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/arcnet: $(BUILD)/src/bin/arcnet.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BUILD)/arcnetd: $(BUILD)/src/bin/arcnetd.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/driver.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itests/fuzz -o $@ $< \
	    tests/fuzz/driver.c $(LIB) $(PKG_LIBS) $(LDLIBS)

$(BUILD)/kafka/%: tests/kafka/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS) $(LDLIBS)

$(BUILD)/cluster/%: tests/cluster/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS) $(LDLIBS)

$(WS_CLIENT): tests/integration/ws_client.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS) $(LDLIBS)

$(BUILD)/bench-%: $(BUILD)/bench/%.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BUILD)/tests/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -Itests -MMD -MP \
	    -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS) $(LDLIBS)

# Sanitized build of everything, in its own tree.
sanitize:
	$(MAKE) BUILD=build/san OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer \
	         -fno-sanitize-recover=all" all

# The tests run beside a throwaway PostgreSQL cluster (ARCNET_TEST_PG),
# so the store's suite runs on both of its backends; the cluster is
# stopped whether the tests pass or not. Each run keeps its own state
# file, so two runs in one tree do not stop each other's cluster.
PG_STATE = $(BUILD)/pg-test-cluster.$$$$.state

test: deps
	$(MAKE) all
	$(MAKE) style
	$(MAKE) test-console
	@state=$(PG_STATE); \
	 trap "scripts/pg-test-cluster stop $$state" EXIT; \
	 url=$$(scripts/pg-test-cluster start $$state) || exit 1; \
	 export ARCNET_TEST_PG="$$url"; \
	 $(MAKE) test-unit && $(MAKE) test-fuzz && \
	 $(MAKE) test-integration && $(MAKE) test-cluster && \
	 $(MAKE) test-sanitize && \
	 $(MAKE) test-integration-sanitize

test-unit: $(TESTS)
	@scripts/run-tests $(BUILD)/tests

test-sanitize: sanitize
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 scripts/run-tests build/san/tests

# Fuzz targets replay tests/fuzz/corpus/<name>/; the integration test
# starts arcnetd on a free loopback port and drives every endpoint.
test-fuzz: $(FUZZ)
	@for f in $(FUZZ); do \
	    n=$$(basename $$f); \
	    $$f tests/fuzz/corpus/$${n#fuzz_} || exit 1; done

test-integration: $(BUILD)/arcnetd $(WS_CLIENT)
	@tests/integration/run.sh $(BUILD)/arcnetd $(WS_CLIENT)

test-integration-sanitize: sanitize
	@for f in build/san/fuzz/fuzz_*; do \
	    n=$$(basename $$f); \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $$f tests/fuzz/corpus/$${n#fuzz_} || exit 1; done
	@ASAN_OPTIONS=detect_leaks=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 tests/integration/run.sh build/san/arcnetd build/san/itest/ws_client

# The distributed roles as separate processes over a mock Kafka cluster:
# a brain, zones, 30 agents, inference under load, a zone killed and
# restarted, an agent killed, the brokers away, bad messages.
test-cluster: $(BUILD)/arcnetd $(BUILD)/kafka/mock_cluster \
              $(CLUSTER_HELPERS)
	@tests/cluster/run.sh $(BUILD)

style:
	@scripts/check-style

# The console: npm ci from the lock file, then the type check, ESLint,
# Prettier, Vitest, and the browser test against a real arcnetd.
$(CONSOLE_DEPS): console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund
	@touch $@

$(CONSOLE_DIST): $(CONSOLE_DEPS) $(CONSOLE_SRC)
	cd console && npm run build

console: $(CONSOLE_DIST)

test-console: $(CONSOLE_DIST) $(BUILD)/arcnetd
	cd console && npm run check
	cd console && ARCNETD=$(abspath $(BUILD)/arcnetd) node e2e/run.mjs

bench-console: $(CONSOLE_DIST) $(BUILD)/arcnetd
	cd console && ARCNETD=$(abspath $(BUILD)/arcnetd) node bench/globe.mjs

# Starts ArcNet on its embedded default: the simulated mesh, the API and
# the console on 127.0.0.1:8080, until Ctrl-C. ARGS adds daemon flags.
run: deps
	$(MAKE) all
	$(BUILD)/arcnetd --role all $(ARGS)

bench: all
	$(BUILD)/bench-route
	$(BUILD)/bench-ingest
	@state=$(PG_STATE); \
	 trap "scripts/pg-test-cluster stop $$state" EXIT; \
	 url=$$(scripts/pg-test-cluster start $$state) || exit 1; \
	 $(BUILD)/bench-store --pg "$$url"

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
