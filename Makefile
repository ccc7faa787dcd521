# datadiffd: the data diff daemon for Azure DevOps pull requests, and the
# datadiff command-line tool.
#
#   make            build everything into build/
#   make check      install missing packages, build, run every test
#   make demo       run the daemon against the bundled fake Azure DevOps
#   make asan       the whole check under AddressSanitizer + UBSan
#   make fuzz       libFuzzer on every parser (FUZZ_SECONDS each)
#   make bench      scripts/bench.sh
#   make install    PREFIX, DESTDIR, SYSCONFDIR, SYSTEMDUNITDIR honoured

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
DOCDIR	?= $(PREFIX)/share/doc/datadiffd
PKG_CONFIG ?= pkg-config
SYSTEMDUNITDIR ?= $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
CLANG	?= clang
CLANG_FORMAT ?= clang-format
FUZZ_SECONDS ?= 60

BUILD	?= build
VARIANT	?= release

# quiet by default; `make V=1` shows the commands
ifeq ($(V),1)
Q	=
say	= @true
else
Q	= @
say	= @printf '  %-6s %s\n'
endif

PKGS	= libmicrohttpd libcurl libcjson libsystemd inih libxxhash
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

WARNINGS = -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wpointer-arith -Wcast-qual \
	-Wwrite-strings -Wvla -Wnull-dereference -Wimplicit-fallthrough -Wundef \
	-Wconversion -Wdeclaration-after-statement -fno-common
WERROR	?= -Werror
HARDEN	= -D_FORTIFY_SOURCE=2 -fstack-protector-strong
SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

ifeq ($(VARIANT),asan)
OPT	= -O1 -g $(SANITIZE)
LDOPT	= $(SANITIZE)
else
OPT	= -O2 -g $(HARDEN)
LDOPT	=
endif

CFLAGS_PROJECT = -std=c17 -D_GNU_SOURCE $(WARNINGS) $(WERROR) $(OPT) \
	-Idaemon $(PKG_CFLAGS) -MMD -MP
ALL_CFLAGS = $(CFLAGS_PROJECT) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(LDOPT) -pthread $(LDFLAGS)
LIBS	= $(PKG_LIBS) -lm

# The pure core links without libmicrohttpd, libcurl or libsystemd.
CORE	= strbuf xmalloc value csv diff report event config adoparse prreport
# Everything else of the daemon (main.c and datadiff.c hold main()).
DAEMON	= clock seed log parallel mapfile queue liveconf metrics ingress job ado
LIB_OBJS = $(addprefix $(BUILD)/obj/,$(addsuffix .o,$(CORE) $(DAEMON)))

UNIT_TESTS = test_strbuf test_csv test_value test_diff test_report test_event test_config test_queue test_adoparse test_prreport
FUZZERS	= fuzz_csv fuzz_diff fuzz_event fuzz_config fuzz_ado_json

PROGRAMS = $(BUILD)/datadiff $(BUILD)/datadiffd
TEST_PROGRAMS = $(addprefix $(BUILD)/tests/,$(UNIT_TESTS)) \
	$(addprefix $(BUILD)/fuzz/,$(FUZZERS))

# the fake Azure DevOps server of the integration tests
FAKE_SRCS = $(wildcard tests/fake-ado/*.c)
FAKE_OBJS = $(patsubst tests/fake-ado/%.c,$(BUILD)/obj/fake-ado/%.o,$(FAKE_SRCS))
ifneq ($(FAKE_SRCS),)
TEST_PROGRAMS += $(BUILD)/fake-ado
endif

# helpers of the integration tests
TEST_PROGRAMS += $(BUILD)/notify-sink

# benchmark data generator (scripts/bench.sh)
BENCH_SRCS = $(wildcard tests/bench/*.c)
ifneq ($(BENCH_SRCS),)
TEST_PROGRAMS += $(BUILD)/gendata
endif

.PHONY: all check check-run demo asan fuzz bench install uninstall format \
	format-check clean deps

all: $(PROGRAMS) $(TEST_PROGRAMS)

$(BUILD)/obj/%.o: daemon/%.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ $<

$(BUILD)/obj/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/fake-ado/%.o: tests/fake-ado/%.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/fake-ado -c -o $@ $<

$(BUILD)/obj/bench/%.o: tests/bench/%.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/fake-ado: $(FAKE_OBJS) $(BUILD)/libdatadiff.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/tools/%.o: tests/tools/%.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/notify-sink: $(BUILD)/obj/tools/notify_sink.o
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

$(BUILD)/gendata: $(BUILD)/obj/bench/gendata.o $(BUILD)/libdatadiff.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/libdatadiff.a: $(LIB_OBJS)
	@rm -f $@
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/datadiffd: $(BUILD)/obj/main.o $(BUILD)/libdatadiff.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/datadiff: $(BUILD)/obj/datadiff.o $(BUILD)/libdatadiff.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(BUILD)/obj/tests/unit.o \
		$(BUILD)/libdatadiff.a
	@mkdir -p $(@D)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

# gcc builds of the fuzz targets replay their corpora in `make check`
$(BUILD)/fuzz/%: $(BUILD)/obj/fuzz/%.o $(BUILD)/obj/fuzz/standalone_main.o \
		$(BUILD)/libdatadiff.a
	@mkdir -p $(@D)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

.PRECIOUS: $(BUILD)/obj/%.o $(BUILD)/obj/tests/%.o $(BUILD)/obj/fuzz/%.o \
	$(BUILD)/obj/fake-ado/%.o $(BUILD)/obj/bench/%.o $(BUILD)/obj/tools/%.o

# `make check` first installs what is missing, then re-reads this Makefile
# (so pkg-config sees the new packages), builds and runs every suite.
deps:
	@scripts/install-deps.sh

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-run

check-run:
	@tests/check.sh $(BUILD)

# the README's "see it work": the real daemon, the fake Azure DevOps, a
# sample pull request and the report it posts
demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan VARIANT=asan all
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 $(MAKE) --no-print-directory BUILD=build-asan VARIANT=asan check-run

FUZZ_CFLAGS = -std=c17 -D_GNU_SOURCE -g -O1 -Idaemon $(PKG_CFLAGS) \
	-fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
	-DFUZZING_BUILD
FUZZ_CORE = $(addprefix daemon/,$(addsuffix .c,$(CORE)))

build-fuzz/%: tests/fuzz/%.c $(FUZZ_CORE) daemon/*.h
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_CORE) $(PKG_LIBS) -lm

fuzz: deps
	@$(MAKE) --no-print-directory $(addprefix build-fuzz/,$(FUZZERS))
	@for f in $(FUZZERS); do \
		mkdir -p build-fuzz/corpus/$$f; \
		echo "fuzz: $$f for $(FUZZ_SECONDS)s"; \
		build-fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			build-fuzz/corpus/$$f tests/fuzz/corpus/$$f || exit 1; \
	done

bench: all
	scripts/bench.sh

install: all
	install -D -m 0755 $(BUILD)/datadiff $(DESTDIR)$(BINDIR)/datadiff
	install -D -m 0755 $(BUILD)/datadiffd $(DESTDIR)$(SBINDIR)/datadiffd
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/datadiffd
	@# never overwrite an operator's configuration
	[ -e $(DESTDIR)$(SYSCONFDIR)/datadiffd/datadiffd.conf ] || \
		install -m 0644 config/datadiffd.conf \
		$(DESTDIR)$(SYSCONFDIR)/datadiffd/datadiffd.conf
	install -d -m 0755 $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		-e 's|@DOCDIR@|$(DOCDIR)|g' systemd/datadiffd.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/datadiffd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/datadiffd.service
	install -m 0644 systemd/datadiffd.socket $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/datadiff $(DESTDIR)$(SBINDIR)/datadiffd \
		$(DESTDIR)$(SYSTEMDUNITDIR)/datadiffd.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/datadiffd.socket \
		$(DESTDIR)$(DOCDIR)/README.md
	@echo "left in place: $(SYSCONFDIR)/datadiffd (configuration, secrets)"

SOURCES = $(wildcard daemon/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] \
	tests/fake-ado/*.[ch] tests/tools/*.[ch] tests/bench/*.[ch])

format:
	$(CLANG_FORMAT) -i $(SOURCES)

format-check:
	$(CLANG_FORMAT) --dry-run -Werror $(SOURCES)

clean:
	rm -rf build build-asan build-fuzz

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/*/*.d)
