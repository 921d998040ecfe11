# ledgersim -- see README.md. Plain make: `make`, `make test`, `make demo`,
# `make asan`, `make bench`, `make fuzz SECONDS=N`.
CC ?= cc
BUILD ?= build
# -Wno-format-truncation: bounded snprintf is how this code limits every
# string; lengths that matter (paths) are checked before formatting.
# -ffp-contract=off: no fused multiply-add, so money math rounds as the seed does.
CFLAGS_BASE = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
              -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-format-truncation -ffp-contract=off -I.
OPT ?= -O2 -g
SANITIZE ?=
CFLAGS += $(CFLAGS_BASE) $(OPT) $(SANITIZE) $(shell pkg-config --cflags libcjson gsl 2>/dev/null)
LIBS = -lcsv $(shell pkg-config --libs libcjson gsl 2>/dev/null) -lm
LIVE_LIBS = $(shell pkg-config --libs libcurl libwebsockets openssl 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null) -lsubunit
LDFLAGS += $(SANITIZE)

CORE_SRC = $(wildcard core/*.c)
IO_SRC = $(wildcard io/*.c)
SIM_SRC = $(wildcard sim/*.c)
LIVE_SRC = $(wildcard live/*.c)
CLI_SRC = $(wildcard cli/*.c)
LIB_SRC = $(CORE_SRC) $(IO_SRC) $(SIM_SRC) $(LIVE_SRC) $(filter-out cli/main.c,$(CLI_SRC))
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BIN = $(if $(filter build,$(BUILD)),bin/ledgersim,$(BUILD)/bin/ledgersim)

.PHONY: all test unit scenarios demo asan clean deps bench fuzz valgrind
all: $(BIN)

deps:
	@tools/install-deps.sh --if-missing

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

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libledgersim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags check 2>/dev/null) -o $@ $< $(BUILD)/libledgersim.a \
	    $(LDFLAGS) $(CHECK_LIBS) $(LIBS) $(LIVE_LIBS)

unit: $(UNIT_BIN)

# Every test: unit tests, scenario expectations, malformed inputs, the rest of
# tests/*.sh. Ends with one summary line "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory all unit
	@tools/run-tests.sh $(BUILD) $(BIN)

asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all"

demo: deps
	@$(MAKE) --no-print-directory all
	@tools/demo.sh $(BIN)

clean:
	rm -rf build build-* bin out

-include $(LIB_OBJ:.o=.d) $(BUILD)/cli/main.d
