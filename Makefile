# onewindow — top-level Makefile.
#
#   make            release build: programs in bin/, objects in build/rel/
#   make test       install missing packages, build with ASan+UBSan in build/test/, run all tests
#   make demo       install missing packages, build, start a whole hall from etc/hall.example.json
#                   (DISTRICT=1: three halls and the district view)
#   make bench      benchmarks (see docs/PERFORMANCE.md)
#   make install    PREFIX=/usr/local DESTDIR=  (programs, calendar, examples, units, man pages)
#   make deb        the Debian packages, in build/deb/ (docs/OPERATIONS.md)
#   make deb-check  install them in a fresh Debian 12 chroot and run a hall there (slow)
#   make clean
#
# MODE=test selects the sanitizer build; it is what `make test` uses internally.

MODE     ?= rel
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKG_CONFIG ?= pkg-config

PKGS := libzmq lmdb jansson libsodium libqrencode zbar libpng cunit libmicrohttpd ncursesw pangocairo libcurl

WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
            -Wno-format-nonliteral
DEFS     := -D_GNU_SOURCE
#  Each component sees protocol/ and its own folder only, so a cross-component include is a
#  compile error (docs/ARCHITECTURE.md). Tests see everything.
COMPONENTS := broker terminal vault web sim district
INCS     := -Iprotocol

ifeq ($(MODE),test)
  OUT      := build/test
  BINDIR   := build/test/bin
  OPT      := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  LDOPT    := -fsanitize=address,undefined
else
  OUT      := build/rel
  BINDIR   := bin
  OPT      := -O2 -g
  LDOPT    :=
endif

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

ALL_CFLAGS  = $(WARN) $(DEFS) $(INCS) $(OPT) $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(LDOPT) $(LDFLAGS)
LIBS        = $(PKG_LIBS) -lm -lutil -lpthread

PROTO_SRC    := $(wildcard protocol/*.c)
BROKER_SRC   := $(filter-out broker/broker_main.c,$(wildcard broker/*.c))
TERM_SRC     := $(filter-out terminal/term_main.c,$(wildcard terminal/*.c))
VAULT_MAINS  := vault/vault_main.c vault/vault_boardsim.c
VAULT_SRC    := $(filter-out $(VAULT_MAINS),$(wildcard vault/*.c))
WEB_SRC      := $(filter-out web/web_main.c,$(wildcard web/*.c))
SIM_SRC      := $(filter-out sim/sim_main.c,$(wildcard sim/*.c))
DISTRICT_SRC := $(filter-out district/district_main.c,$(wildcard district/*.c))
TEST_SRC     := $(wildcard tests/*.c)

obj = $(patsubst %.c,$(OUT)/%.o,$(1))

# Quiet by default; `make V=1` shows the commands.
ifeq ($(V),1)
  Q :=
  say = @true
else
  Q := @
  say = @echo "  $(1)	$(2)"
endif

PROTO_LIB  := $(OUT)/libproto.a
BROKER_LIB := $(OUT)/libbroker.a
TERM_LIB   := $(OUT)/libterm.a
VAULT_LIB  := $(OUT)/libvault.a
WEB_LIB    := $(OUT)/libweb.a
SIM_LIB    := $(OUT)/libsim.a
DISTRICT_LIB := $(OUT)/libdistrict.a

PROGRAMS := $(BINDIR)/onewindow-broker $(BINDIR)/onewindow $(BINDIR)/onewindow-vault \
            $(BINDIR)/onewindow-boardsim $(BINDIR)/onewindow-web $(BINDIR)/onewindow-sim \
            $(BINDIR)/onewindow-district

.PHONY: all test test-build test-run demo bench install clean deps format format-check check-limits \
        man deb deb-check estimate-check

all: $(PROGRAMS)

#  The include path of each component's objects (see INCS above).
$(foreach c,$(COMPONENTS),$(eval $(OUT)/$(c)/%.o: INCS += -I$(c)))
$(OUT)/tests/%.o: INCS += $(addprefix -I,$(COMPONENTS)) -Itests

$(OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(PROTO_LIB): $(call obj,$(PROTO_SRC))
	@rm -f $@; ar rcs $@ $^
$(BROKER_LIB): $(call obj,$(BROKER_SRC))
	@rm -f $@; ar rcs $@ $^
$(TERM_LIB): $(call obj,$(TERM_SRC))
	@rm -f $@; ar rcs $@ $^
$(VAULT_LIB): $(call obj,$(VAULT_SRC))
	@rm -f $@; ar rcs $@ $^
$(WEB_LIB): $(call obj,$(WEB_SRC))
	@rm -f $@; ar rcs $@ $^
$(SIM_LIB): $(call obj,$(SIM_SRC))
	@rm -f $@; ar rcs $@ $^
$(DISTRICT_LIB): $(call obj,$(DISTRICT_SRC))
	@rm -f $@; ar rcs $@ $^

$(BINDIR)/onewindow-broker: $(call obj,broker/broker_main.c) $(BROKER_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BINDIR)/onewindow: $(call obj,terminal/term_main.c) $(TERM_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BINDIR)/onewindow-vault: $(call obj,vault/vault_main.c) $(VAULT_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BINDIR)/onewindow-boardsim: $(call obj,vault/vault_boardsim.c) $(VAULT_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BINDIR)/onewindow-web: $(call obj,web/web_main.c) $(WEB_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BINDIR)/onewindow-sim: $(call obj,sim/sim_main.c) $(SIM_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BINDIR)/onewindow-district: $(call obj,district/district_main.c) $(DISTRICT_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BINDIR)/run_tests: $(call obj,$(TEST_SRC)) $(BROKER_LIB) $(TERM_LIB) $(VAULT_LIB) $(WEB_LIB) \
                     $(SIM_LIB) $(DISTRICT_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

deps:
	@scripts/install-deps

# `make test`: packages, then the sanitizer build, then every suite. Exits non-zero on any
# failure (run_tests reads CUnit's failure count).
test: deps
	@$(MAKE) --no-print-directory MODE=test test-build
	@$(MAKE) --no-print-directory MODE=test test-run

test-build: $(PROGRAMS) $(BINDIR)/run_tests

test-run:
	OW_BIN_DIR=$(abspath $(BINDIR)) OW_SRC_DIR=$(CURDIR) \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	$(BINDIR)/run_tests $(TESTS)

#  In a terminal the hall runs as a job of its own (bash -m: its own process group, in the
#  terminal's foreground), so Ctrl-C stops the hall and reaches make not at all: the demo
#  says "demo: stopped" and make exits 0 instead of dying of the signal. DISTRICT=1: three
#  halls and the district view (scripts/demo --district).
DEMO_ARGS := $(if $(DISTRICT),--district)
demo: deps
	@$(MAKE) --no-print-directory all
	@if [ -t 0 ]; then bash -mc 'scripts/demo $(DEMO_ARGS); exit $$?'; else scripts/demo $(DEMO_ARGS); fi

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench

#  The wait estimate on every scenario, seeds 1-10 (docs/SIMULATOR.md; ~30 s, not in `test`).
estimate-check: deps
	@$(MAKE) --no-print-directory all
	@scripts/estimate-check

# ---------------------------------------------------------------------------------------
# Installing (issue 19; docs/OPERATIONS.md). `make install PREFIX=/usr DESTDIR=DIR` puts
# the same files where the Debian packages put them (debian/*.install take them from here):
#
#   PREFIX/bin                 the programs          PREFIX/sbin   onewindow-setup, -backup
#   PREFIX/share/onewindow     the example configs and calendar/ (the broker's calendar:
#                              onewindow-setup writes its path into the hall's config)
#   PREFIX/share/doc/onewindow the documentation     PREFIX/share/man  pages 1, 5 and 8
#   UNITDIR                    the systemd units     TMPFILESDIR   /var/backups/onewindow
#   SYSCONFDIR/onewindow       onewindow.conf, only where none is (the hall's own config
#                              and keys are onewindow-setup's)
#
# The programs and units look for /etc/onewindow and /var/lib/onewindow whatever PREFIX
# is; the units name PREFIX's programs.
VERSION     := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog 2>/dev/null)
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
DOCDIR      ?= $(PREFIX)/share/doc/onewindow
MANDIR      ?= $(PREFIX)/share/man
SCRIPTS     := scripts/onewindow-setup scripts/onewindow-backup
UNITS       := $(wildcard systemd/*.service systemd/*.timer)
DOCS        := README.md protocol/PROTOCOL.md $(addprefix docs/,OPERATIONS.md CONFIG.md POLICY.md \
               CABINET.md LOCKBOARDS.md SIMULATOR.md REPORT.md ARCHITECTURE.md)

#  Man pages: man/NAME.SECTION.in, with the program's --help put in (man/mkman).
MAN_PAGES := $(patsubst man/%.in,build/man/%,$(wildcard man/*.in))

man: $(MAN_PAGES)

build/man/%: man/%.in man/mkman docs/CONFIG.md $(PROGRAMS) $(SCRIPTS)
	@mkdir -p $(dir $@)
	$(call say,MAN,$@)
	$(Q)p=$(basename $*); h=; \
	if [ -x $(BINDIR)/$$p ]; then h="$(BINDIR)/$$p --help"; \
	elif [ -x scripts/$$p ]; then h="scripts/$$p --help"; fi; \
	man/mkman $< "$(VERSION)" $$h > $@.tmp && mv $@.tmp $@

install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
	    $(DESTDIR)$(PREFIX)/share/onewindow/calendar $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(SYSCONFDIR)/onewindow
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 $(SCRIPTS) $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 etc/hall.example.json etc/cabinet.example.json etc/district.example.json \
	    $(DESTDIR)$(PREFIX)/share/onewindow/
	install -m 0644 etc/calendar/*.json $(DESTDIR)$(PREFIX)/share/onewindow/calendar/
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(filter %.8,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man8/
	for u in $(UNITS); do \
	    sed -e 's|/usr/bin/|$(PREFIX)/bin/|g' -e 's|/usr/sbin/|$(PREFIX)/sbin/|g' $$u \
	        > $(DESTDIR)$(UNITDIR)/$$(basename $$u) && chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$u); \
	done
	install -m 0644 systemd/onewindow.tmpfiles $(DESTDIR)$(TMPFILESDIR)/onewindow.conf
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/onewindow/onewindow.conf ]; then \
	    echo "install: kept $(DESTDIR)$(SYSCONFDIR)/onewindow/onewindow.conf (the new one is etc/onewindow/onewindow.conf)"; \
	else install -m 0644 etc/onewindow/onewindow.conf $(DESTDIR)$(SYSCONFDIR)/onewindow/; fi

#  The Debian packages (debian/), built from this tree into build/deb/: dpkg-buildpackage
#  writes them beside the tree, so it builds a copy. Needs `scripts/install-deps --deb`.
deb:
	@scripts/deb-build

#  The packages installed in a fresh Debian 12 chroot, a hall set up and served there, the
#  units verified, an old store migrated (scripts/deb-check; minutes, needs root and
#  Debian's mirror). Not part of `make test`.
deb-check: deb
	@scripts/deb-check

#  Every C file we own (git ls-files), formatted by .clang-format; format-check changes
#  nothing and fails on any file that format would change (CI runs it).
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

format:
	@clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: $(words $(FORMAT_FILES)) files formatted"

#  File and function length limits and the include rule (scripts/check-limits).
check-limits:
	@scripts/check-limits

clean:
	rm -rf build bin

#  (Only the objects' folders: build/deb and build/deb-check hold whole Debian trees.)
-include $(shell find build/rel build/test build/fuzz -name '*.d' -type f 2>/dev/null)

# ---------------------------------------------------------------------------------------
# Fuzzing (issue 7 item 3). See tests/fuzz/README.md.
#
#   make fuzz                    build the libFuzzer harnesses and run each for 10 s
#   make fuzz FUZZ_SECONDS=60    ... for a minute each (what CI runs)
#
# Each harness tests/fuzz/fuzz_<name>.c + tests/fuzz/fuzz_targets.c + the project sources it
# needs, compiled with clang -fsanitize=fuzzer,address,undefined -g -O1 and the usual
# warnings into build/fuzz/fuzz_<name>. tests/fuzz/run-fuzz runs them one after the other on
# a scratch copy of tests/fuzz/corpus/<name>/ (the committed corpus never grows) and prints
# one line per harness: executions, executions per second, crash or not. Exits non-zero if
# any harness crashed, leaving the input in build/fuzz/<name>-crash-* (or -leak-, -timeout-,
# -oom-) and libFuzzer's report in build/fuzz/<name>.log.
# Needs clang 14 and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
FUZZ_SECONDS ?= 10
FUZZ_CC      ?= clang
FUZZ_NAMES   := request frames config calendar token
FUZZ_OUT     := build/fuzz
FUZZ_SRC     := tests/fuzz/fuzz_targets.c protocol/proto_msg.c protocol/proto_token.c \
                protocol/proto_qr.c protocol/proto_text.c broker/broker_config.c \
                broker/broker_calendar.c broker/broker_holidays.c \
                broker/broker_idcheck.c vault/vault_frame.c
FUZZ_PKGS    := jansson libsodium libqrencode zbar libpng
FUZZ_SAN     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = $(WARN) $(DEFS) -Iprotocol -Ibroker -Ivault -Itests/fuzz -g -O1 $(FUZZ_SAN) \
                $(shell $(PKG_CONFIG) --cflags $(FUZZ_PKGS)) -MMD -MP
FUZZ_LIBS     = $(shell $(PKG_CONFIG) --libs $(FUZZ_PKGS)) -lm
FUZZ_OBJ     := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_SRC))
FUZZ_BINS    := $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_NAMES))

.PHONY: fuzz fuzz-build
# Keep the objects: they are reached only through pattern rules.
.SECONDARY: $(FUZZ_OBJ) $(patsubst %,$(FUZZ_OUT)/obj/tests/fuzz/fuzz_%.o,$(FUZZ_NAMES))

fuzz: fuzz-build
	@tests/fuzz/run-fuzz $(FUZZ_OUT) $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-build: $(FUZZ_BINS)

$(FUZZ_OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJ)
	$(call say,LINK,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(FUZZ_LIBS)

# ---------------------------------------------------------------------------------------
# Benchmarks (issue 8). See docs/PERFORMANCE.md.
#
#   make bench           build everything, then scripts/bench: the table, var/bench/latest.csv
#   make bench-build     the release programs and bin/onewindow-bench (what scripts/bench runs)
#
# tests/bench/*.c is one program, linked with the broker, vault and protocol libraries (the
# scale section writes its store through the broker's own code); it is not a test suite
# (tests/*.c does not reach into tests/bench/).
BENCH_SRC := $(wildcard tests/bench/*.c)
$(OUT)/tests/bench/%.o: INCS += -Ibroker -Ivault -Itests/bench

.PHONY: bench-build
bench-build: $(PROGRAMS) $(BINDIR)/onewindow-bench

$(BINDIR)/onewindow-bench: $(call obj,$(BENCH_SRC)) $(BROKER_LIB) $(VAULT_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
