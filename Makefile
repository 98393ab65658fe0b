# Proofline -- build, run and test.
#
#   make            build build/proofline
#   make run        start the whole local stack in the foreground (Ctrl-C stops)
#   make start/stop the same in the background
#   make test       everything CI runs (installs missing Debian packages first)
#   make bench      throughput benchmarks with ratios
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS
#   make deb        the Debian package, build/proofline_VERSION_ARCH.deb
#   make test-deb   install it into a fresh Debian 12 root (root, slow)
#
# PORT (default 8080) and VAR (default ./var) are honoured by run/start/stop.

SHELL := /bin/bash
.DEFAULT_GOAL := all

PORT ?= 8080
VAR ?= $(CURDIR)/var
FUZZ_SECONDS ?= 60
PYTHON ?= /usr/bin/python3

PKGS := fcgi libmariadb lua5.4 libcjson libsodium libqrencode libcurl zlib libexif \
	vips zbar

WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla -Wconversion
# -fvisibility=hidden: the binary exports none of its functions.  The
# linker otherwise exports every one a shared library also names, and the
# library then calls ours: cfitsio, which libvips asks about every upload
# it does not recognise, called our file_read() and crashed the worker.
VIS := -fvisibility=hidden
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE $(VIS)
OPT ?= -O2 -g
SAN := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer $(VIS)

# Lazily evaluated so that `make test` can install pkg-config first.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))

# The version is the Debian changelog's (scripts/debian/changelog).
ifeq ($(origin PROOFLINE_VERSION),undefined)
PROOFLINE_VERSION := $(shell head -1 scripts/debian/changelog | \
	cut -d'(' -f2 | cut -d')' -f1)
endif

CPPFLAGS = -D_GNU_SOURCE -Imodule $(PKG_CFLAGS) \
	-DPROOFLINE_VERSION='"$(PROOFLINE_VERSION)"'
CFLAGS = $(WARN) $(HARDEN) $(OPT)
LDFLAGS = -pie -Wl,-z,relro,-z,now
LDLIBS = $(PKG_LIBS) -lm

# Every source under module/, however deep (scripts/layers.sh checks that
# the build and the lint see the same files).
SRC := $(shell find module -name '*.c' | LC_ALL=C sort)
HDR := $(shell find module -name '*.h' | LC_ALL=C sort)
OBJ := $(SRC:module/%.c=build/obj/%.o)
LIBOBJ := $(filter-out build/obj/server/main.o,$(OBJ))
SANOBJ := $(patsubst build/obj/%.o,build/san-obj/%.o,$(LIBOBJ))

UNIT_SRC := $(wildcard tests/unit/*_test.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/unit/%)
UNIT_SAN := $(UNIT_SRC:tests/unit/%.c=build/unit-san/%)
UNIT_HELP := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz-replay/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

FMT_FILES = $(SRC) $(HDR) $(wildcard tests/unit/*.[ch] tests/fuzz/*.[ch] \
	tests/bench/*.[ch])

# Objects are not intermediate files: keep them between targets.
.SECONDARY: $(OBJ) $(SANOBJ)

.PHONY: all deps run start stop status test test-run unit unit-san \
	fuzz-replay e2e browser lint format format-check bench fuzz install \
	security deb test-deb \
	clean

all: build/proofline

deps:
	@scripts/deps.sh all

build/proofline: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

build/obj/%.o: module/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

build/san-obj/%.o: module/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(SAN) -c -o $@ $<

build/obj build/san-obj build/unit build/unit-san build/fuzz build/fuzz-replay:
	@mkdir -p $@

# --- unit tests (cmocka), plain and under ASan/UBSan ----------------------
build/unit/%_test: tests/unit/%_test.c $(UNIT_HELP) $(LIBOBJ) | build/unit
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(UNIT_HELP) $(LIBOBJ) $(LDLIBS) -lcmocka

build/unit-san/%_test: tests/unit/%_test.c $(UNIT_HELP) $(SANOBJ) | build/unit-san
	$(CC) $(CPPFLAGS) -Itests/unit $(WARN) $(SAN) -o $@ $< \
		$(UNIT_HELP) $(SANOBJ) $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)
	@scripts/run-unit.sh build/unit $(UNIT_BIN)

unit-san: $(UNIT_SAN)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	scripts/run-unit.sh build/unit-san $(UNIT_SAN)

# --- fuzz targets: corpus replay (gcc + sanitizers) and libFuzzer runs -----
build/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(SANOBJ) | build/fuzz-replay
	$(CC) $(CPPFLAGS) $(WARN) $(SAN) -o $@ $< tests/fuzz/replay.c \
		$(SANOBJ) $(LDLIBS)

fuzz-replay: $(FUZZ_REPLAY)
	@scripts/run-fuzz.sh replay $(FUZZ_REPLAY)

build/fuzz/%: tests/fuzz/%.c $(SRC) $(HDR) | build/fuzz
	clang $(CPPFLAGS) -std=c11 -g -O1 $(VIS) \
		-fsanitize=fuzzer,address,undefined -o $@ $< \
		$(filter-out module/server/main.c,$(SRC)) $(LDLIBS)

fuzz: deps
	@command -v clang >/dev/null || apt-get install -y -qq clang
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@scripts/run-fuzz.sh fuzz $(FUZZ_SECONDS) $(FUZZ_BIN)

# --- style ------------------------------------------------------------------
lint:
	@scripts/lint.sh
	@$(PYTHON) scripts/layers.py --build $(SRC) $(HDR)

format:
	@clang-format -i $(FMT_FILES)

format-check:
	@clang-format --dry-run -Werror $(FMT_FILES) && echo "format-check: ok"

# --- the stack --------------------------------------------------------------
run: deps all
	@PORT=$(PORT) VAR=$(VAR) scripts/stack.sh run

start: deps all
	@PORT=$(PORT) VAR=$(VAR) scripts/stack.sh start

stop:
	@PORT=$(PORT) VAR=$(VAR) scripts/stack.sh stop

status:
	@PORT=$(PORT) VAR=$(VAR) scripts/stack.sh status

# --- tests ------------------------------------------------------------------
test: deps
	@$(MAKE) --no-print-directory test-run

test-run: all lint format-check
	@scripts/test.sh

e2e: all
	$(PYTHON) -m pytest -q tests/e2e $(PYTEST_ARGS)

browser: all
	@scripts/axe.sh
	$(PYTHON) -m pytest -q tests/browser $(PYTEST_ARGS)

build/bench/rules_bench: tests/bench/rules_bench.c $(LIBOBJ)
	@mkdir -p build/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJ) $(LDLIBS)

build/bench/metrics_bench: tests/bench/metrics_bench.c $(LIBOBJ)
	@mkdir -p build/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJ) $(LDLIBS)

build/bench/photo_make: tests/bench/photo_make.c
	@mkdir -p build/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

bench: deps all build/bench/rules_bench build/bench/photo_make \
	build/bench/metrics_bench
	@build/bench/rules_bench lua
	@scripts/bench.sh

# sqlmap against the login form, the main forms and the API on a
# throw-away stack (slow: not part of `make test`).
security: deps all
	@command -v sqlmap >/dev/null || { apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends sqlmap; }
	$(PYTHON) tests/security/run_sqlmap.py

install: all
	@scripts/install.sh

deb:
	@scripts/deps.sh deb
	@scripts/deb.sh

# Builds the package twice (same bytes?), then installs, serves, upgrades,
# removes and purges it in a brand-new Debian 12 root (debootstrap; needs
# root and the Debian mirror).  Not part of `make test`: .ci/run runs it.
test-deb:
	@scripts/deps.sh deb-test
	@tests/deb/run.sh

clean:
	rm -rf build

# The version string is compiled into the CLI (cli.h).
build/obj/server/cli.o build/obj/server/cli_backup.o \
build/san-obj/server/cli.o build/san-obj/server/cli_backup.o: \
	scripts/debian/changelog
