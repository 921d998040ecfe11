# ledgersim -- see README.md. Plain make: `make`, `make test`, `make demo`,
# `make asan`, `make bench`, `make fuzz SECONDS=N`.
CC ?= cc
BUILD ?= build
# -Wno-format-truncation: bounded snprintf is how this code limits every
# string; lengths that matter (paths) are checked before formatting.
# -ffp-contract=off: no fused multiply-add, so money math rounds as the seed does.
CFLAGS_BASE = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
              -Wshadow -Wstrict-prototypes -Wmissing-prototypes -ffp-contract=off -I.
OPT ?= -O2 -g
# gcc only (clang has no such warning).
WARN_COMPILER = $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null)),,-Wno-format-truncation)
SANITIZE ?=
CFLAGS += $(CFLAGS_BASE) $(WARN_COMPILER) $(OPT) $(SANITIZE) $(shell pkg-config --cflags libcjson gsl 2>/dev/null)
LIBS = -lcsv $(shell pkg-config --libs libcjson gsl 2>/dev/null) -lm
# The live adapter's libraries are dlopened when it starts (live/libraries.c),
# not linked: only their sonames are read here, from the development files.
LIVE_LIBS = -ldl
soname = $(shell objdump -p "$$(pkg-config --variable=libdir $(1) 2>/dev/null)/$(1).so" 2>/dev/null | \
           awk '/SONAME/ {print $$2}')
LIVE_SONAME_FLAGS = $(foreach pair,CURL:libcurl WEBSOCKETS:libwebsockets CRYPTO:libcrypto,\
    $(if $(call soname,$(word 2,$(subst :, ,$(pair)))),\
         -DLIVE_$(word 1,$(subst :, ,$(pair)))_SONAME='"$(call soname,$(word 2,$(subst :, ,$(pair))))"'))
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null) -lsubunit
LDFLAGS += $(SANITIZE)

CORE_SRC = $(wildcard core/*.c)
IO_SRC = $(wildcard io/*.c)
REPORTS_SRC = $(wildcard reports/*.c)
SIM_SRC = $(wildcard sim/*.c)
LIVE_SRC = $(wildcard live/*.c)
CLI_SRC = $(wildcard cli/*.c)
LIB_SRC = $(CORE_SRC) $(IO_SRC) $(REPORTS_SRC) $(SIM_SRC) $(LIVE_SRC) $(filter-out cli/main.c,$(CLI_SRC))
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BIN = $(if $(filter build,$(BUILD)),bin/ledgersim,$(BUILD)/bin/ledgersim)
# The test build (issue 15): the release binary with the I/O-fault countdown
# and test points of io/atomic_file.c compiled in (LEDGERSIM_TEST_HOOKS). The
# release binary has no such hook; tests/io_faults.sh and crash_atomicity.sh
# run this one.
BIN_TEST = $(BIN)-test

.PHONY: all test unit scenarios demo asan clean deps deps-run bench fuzz fuzz-replay valgrind mutants
all: $(BIN) $(BIN_TEST)

# Packages by purpose (tools/install-deps.sh): `make demo` needs only the run
# set (compiler, libraries, gnuplot); test, bench, fuzz and valgrind the test set.
deps:
	@tools/install-deps.sh --if-missing test

deps-run:
	@tools/install-deps.sh --if-missing run

$(BUILD)/live/libraries.o: CFLAGS += $(LIVE_SONAME_FLAGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libledgersim.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	ar rcs $@ $^

$(BIN): $(BUILD)/cli/main.o $(BUILD)/libledgersim.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(LIVE_LIBS)

$(BUILD)/test-hooks/atomic_file.o: io/atomic_file.c
	@mkdir -p $(dir $@)
	@echo "CC $< (test hooks)"
	@$(CC) $(CFLAGS) -DLEDGERSIM_TEST_HOOKS -MMD -MP -c $< -o $@

# The hooked atomic_file.o comes first: the archive's copy is never pulled in.
$(BIN_TEST): $(BUILD)/cli/main.o $(BUILD)/test-hooks/atomic_file.o $(BUILD)/libledgersim.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(LIVE_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libledgersim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags check 2>/dev/null) -o $@ $< $(BUILD)/libledgersim.a \
	    $(LDFLAGS) $(CHECK_LIBS) $(LIBS) $(LIVE_LIBS)

unit: $(UNIT_BIN)

# Every test: unit tests, scenario expectations, malformed inputs, the rest of
# tests/*.sh, in parallel (JOBS=N, default the core count; tools/run-tests.sh).
# Ends with the wall time, the slowest five and one line "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory all unit fuzz-replay
	@tools/run-tests.sh $(BUILD) $(BIN)

asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all"

demo: deps-run
	@$(MAKE) --no-print-directory all
	@tools/demo.sh $(BIN)

# Benchmark (issue 8): replays generated 1M- and 10M-row scenarios (made once,
# cached in bench/cache/) and writes bench/results.md; RUNS=N runs per figure.
bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/tests/test_number_equivalence
	@EQUIVALENCE=$(BUILD)/tests/test_number_equivalence tools/bench.sh $(BIN)

# Fuzzing (issue 9): one libFuzzer target per input format, tests/fuzz/fuzz_NAME.c,
# seeded from fixtures/fuzz/NAME/ (and fixtures/fuzz/NAME.dict when present).
# `make fuzz SECONDS=N` builds them with clang (ASan, UBSan) in build-fuzz/ and
# runs each N seconds; new inputs go to build-fuzz/corpus/NAME/, findings to
# build-fuzz/findings/. `make fuzz-replay` builds each target as a plain
# program, BUILD/fuzz/replay_NAME, that replays the committed corpus without
# libFuzzer: tests/fuzz_corpus.sh runs them in `make test`.
FUZZ_NAMES = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_HARNESS = tests/fuzz/harness.c tests/fuzz/harness.h
SECONDS ?= 60

fuzz-replay: $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)

$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(FUZZ_HARNESS) $(BUILD)/libledgersim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< tests/fuzz/replay_main.c tests/fuzz/harness.c $(BUILD)/libledgersim.a \
	    $(LDFLAGS) $(LIBS) $(LIVE_LIBS)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HARNESS) $(BUILD)/libledgersim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< tests/fuzz/harness.c $(BUILD)/libledgersim.a \
	    $(LDFLAGS) -fsanitize=fuzzer $(LIBS) $(LIVE_LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_NAMES:%=build-fuzz/fuzz/fuzz_%) BUILD=build-fuzz CC=clang \
	    OPT="-O1 -g -fno-omit-frame-pointer" \
	    SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link"
	@tests/fuzz/run-fuzzers.sh build-fuzz $(SECONDS) $(FUZZ_NAMES)

# The unit tests and the fuzz corpus replays under valgrind (no error, no
# leak of any kind), and the I/O-fault test with every run under valgrind.
VALGRIND = valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
           --errors-for-leak-kinds=all --suppressions=$(CURDIR)/tools/valgrind.supp
valgrind: deps
	@$(MAKE) --no-print-directory all unit fuzz-replay
	@tools/valgrind.sh "$(VALGRIND)" $(BUILD) $(BIN) $(UNIT_BIN) -- $(FUZZ_NAMES)

# Mutation testing (issue 20): tools/mutants.py flips relational operators,
# moves constants by one, drops statements and swaps signs in core/ and sim/,
# builds each mutant in a copy of the tree and runs it against the suite
# without the digests; prints the score and every survivor. SAMPLE=N runs N
# mutants drawn with SEED (default 1); MUTANT_FILES narrows the files; JOBS.
SAMPLE ?= 0
SEED ?= 1
JOBS ?= 1
mutants: deps
	@tools/mutants.py --sample $(SAMPLE) --seed $(SEED) --jobs $(JOBS) $(MUTANT_FILES)

clean:
	rm -rf build build-* bin out

-include $(LIB_OBJ:.o=.d) $(BUILD)/cli/main.d $(BUILD)/test-hooks/atomic_file.d
