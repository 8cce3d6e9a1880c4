# enrich: see README.md.  `make demo`, `make check`, `make bench` and
# `make fuzz` set up a new Debian 12 machine themselves (apt-get, with sudo
# when not root) and then build in a second make, which reads pkg-config
# after the install: this make read it before.  A plain `make` installs
# nothing; it names `make deps` when a build package is missing.
#
# Everything builds into $(O): the tree itself by default, build/san for
# the sanitizer build that `make check` runs the suite under as well.
# Sources are found by wildcard: a new module, unit test, mock file or
# fuzzer needs no edit here.

PREFIX ?=	/usr/local
BINDIR ?=	$(PREFIX)/bin
MANDIR ?=	$(PREFIX)/share/man
COMPDIR ?=	$(PREFIX)/share/bash-completion/completions
# zsh's and fish's: where each looks for vendors' completions under PREFIX
# (fish there when $$XDG_DATA_DIRS names PREFIX/share, as for bash's).
ZSHCOMPDIR ?=	$(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?=	$(PREFIX)/share/fish/vendor_completions.d
# The price table, beside the man page; its path is compiled in.
DATADIR ?=	$(PREFIX)/share/enrich
DESTDIR ?=
O ?=		.

CC ?=		cc
# libmd for SHA-256 (the --cache keys): libbsd-dev depends on libmd-dev,
# so DEPS, FRESH and MISSING need nothing more.
PKGS =		libcurl libbsd-overlay libmd
CPPFLAGS +=	-D_GNU_SOURCE -DJSMN_PARENT_LINKS -DJSMN_STRICT -Ilib \
		-DPRICES_PATH='"$(DATADIR)/prices"'
CFLAGS ?=	-O2 -g
CFLAGS +=	-std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
		-Wmissing-prototypes -Wno-missing-field-initializers
SANFLAGS =	-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all
PKG_CFLAGS !=	pkg-config --cflags $(PKGS) 2>/dev/null || true
PKG_LIBS !=	pkg-config --libs $(PKGS) 2>/dev/null || true
# The mock server speaks HTTP/2 (h2c) as well, with libnghttp2.
MOCK_PKGS =	libbsd-overlay libnghttp2
MOCK_CFLAGS !=	pkg-config --cflags $(MOCK_PKGS) 2>/dev/null || true
MOCK_LIBS !=	pkg-config --libs $(MOCK_PKGS) 2>/dev/null || true
PKG_LIBS +=	-lm
MOCK_LIBS +=	-lm

LIBSRC =	$(wildcard lib/*.c)
LIBOBJ =	$(LIBSRC:%.c=$(O)/%.o)
HDRS =		$(wildcard lib/*.h *.h)
# Program side: main in filter.c, and every other top-level file (cli.c,
# tty.c, ...) beside it; all of them link with lib/libenrich.a.
PROGSRC =	$(wildcard *.c)
PROGOBJ =	$(PROGSRC:%.c=$(O)/%.o)
UNITSRC =	$(wildcard tests/unit/test_*.c)
UNITHDRS =	$(wildcard tests/unit/*.h)
UNITBIN =	$(UNITSRC:%.c=$(O)/%)
MOCKSRC =	$(wildcard tests/mock*.c)
MOCKHDRS =	$(wildcard tests/mock*.h)
FUZZSRC =	$(wildcard tests/fuzz/fuzz_*.c)
FUZZERS =	$(FUZZSRC:tests/fuzz/fuzz_%.c=%)

# The Debian 12 packages that building and testing need.  FRESH are those a
# new Debian 12 machine with make, gcc, pkg-config, curl, jq and valgrind
# lacks: `make deps` installs them, .ci/run purges them first to be that
# machine (`make -s print-fresh` prints them).
FRESH =		libcurl4-openssl-dev libjsmn-dev libbsd-dev libnghttp2-dev \
		mandoc parallel python3-h2 python3-jsonschema openssh-server zsh \
		fish
DEPS =		make gcc libc6-dev pkg-config jq valgrind curl openssl \
		$(FRESH)
FUZZDEPS =	clang libclang-rt-14-dev
BENCHDEPS =	python3-requests python3-aiohttp wrk nginx openssl \
		nghttp2-client

# The packages whose headers or pkg-config files the build cannot do
# without, those missing named.  Expanded only when a build starts.
MISSING =	$(shell command -v pkg-config >/dev/null || echo pkg-config; \
		    pkg-config --exists libcurl || echo libcurl4-openssl-dev; \
		    [ -f /usr/include/jsmn.h ] || echo libjsmn-dev; \
		    pkg-config --exists libbsd-overlay || echo libbsd-dev; \
		    pkg-config --exists libnghttp2 || echo libnghttp2-dev)
MISSING_MSG =	enrich: missing build packages ($(strip $(MISSING))): \
		run 'make deps' first

all: $(O)/enrich $(O)/tests/mock

# Every compile waits for this: one line, not a screen of compiler errors.
need-deps:
	$(if $(MISSING),$(error $(MISSING_MSG)))

$(O)/enrich: $(PROGOBJ) $(O)/lib/libenrich.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(PROGOBJ) $(O)/lib/libenrich.a \
	    $(PKG_LIBS)

$(O)/lib/libenrich.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(O)/%.o: %.c $(HDRS) | need-deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# One compiler run over all its files: they take their own flags (nghttp2),
# and a few thousand lines build in a second or two.
$(O)/tests/mock: $(MOCKSRC) $(MOCKHDRS) | need-deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(MOCK_CFLAGS) -o $@ $(MOCKSRC) \
	    $(MOCK_LIBS)

$(O)/tests/unit/test_%: tests/unit/test_%.c $(UNITHDRS) \
    $(O)/lib/libenrich.a | need-deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< \
	    $(O)/lib/libenrich.a $(PKG_LIBS)

units: $(UNITBIN)

# Install what is missing; a new Debian 12 machine needs nothing else.
deps:
	@missing=""; for p in $(DEPS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	    grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q \
	    $$missing; fi

print-fresh:
	@echo $(FRESH)

# The suite twice: as built, and under ASan and UBSan.  The builds are
# second makes, so that they read pkg-config after `deps`; they run side
# by side, -j as many as the CPUs unless the command line says; then
# tests/run.sh runs both suites at once (JOBS=n in the environment sets
# how many tests run together).  The total is the last line printed.
NPROC !=	getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1

check: deps
	$(MAKE) $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC)) check-builds
	sh tests/run.sh . build/san

check-builds: check-build-plain check-build-san

check-build-plain:
	$(MAKE) O=. all units

check-build-san:
	$(MAKE) O=build/san CFLAGS="$(SANFLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined" all units

# libFuzzer over every tests/fuzz/fuzz_*.c (rows, responses, templates,
# --skip-ids, the price table, cache entries), each for FUZZ_SECONDS,
# starting from its seeds in
# tests/fuzz/corpus.
FUZZ_SECONDS ?=	30
FUZZFLAGS =	-g -O1 -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=all

fuzz: deps
	$(MAKE) deps DEPS="$(FUZZDEPS)"
	$(MAKE) O=build/fuzz CC=clang CFLAGS="$(FUZZFLAGS)" fuzzers
	@for f in $(FUZZERS); do \
	    mkdir -p build/fuzz/corpus-$$f && \
	    { [ ! -d tests/fuzz/corpus/$$f ] || \
	    cp tests/fuzz/corpus/$$f/* build/fuzz/corpus-$$f/; } && \
	    echo "fuzz_$$f: $(FUZZ_SECONDS) s" && \
	    build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=65536 -artifact_prefix=build/fuzz/crash-$$f- \
	    -print_final_stats=1 build/fuzz/corpus-$$f 2>&1 | \
	    grep -E '^(stat::number_of_executed_units|stat::peak_rss|==|SUMMARY|.*ERROR)' \
	    ; [ $$? -le 1 ] || exit 1; \
	    ls build/fuzz/crash-$$f-* >/dev/null 2>&1 && \
	    { echo "fuzz_$$f found a crash"; exit 1; }; \
	done; echo "fuzz: no crashes"

# The harnesses, built by `fuzz` with O=build/fuzz CC=clang.
fuzzers: $(FUZZERS:%=$(O)/fuzz_%)

$(O)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) \
    $(O)/lib/libenrich.a | need-deps
	$(CC) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
	    $(PKG_CFLAGS) -o $@ $< $(O)/lib/libenrich.a $(PKG_LIBS)

# The demo and the benchmark run the tree's own ./enrich and tests/mock.
demo: deps
	$(MAKE) O=. all
	sh examples/demo.sh

bench: deps
	$(MAKE) deps DEPS="$(BENCHDEPS)"
	$(MAKE) O=. all
	sh bench/run.sh

lint:
	mandoc -Tlint -Wwarning man/enrich.1

install: $(O)/enrich
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(COMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(DATADIR)
	install -m 755 $(O)/enrich $(DESTDIR)$(BINDIR)/enrich
	install -m 644 man/enrich.1 $(DESTDIR)$(MANDIR)/man1/enrich.1
	install -m 644 completions/enrich.bash $(DESTDIR)$(COMPDIR)/enrich
	install -m 644 completions/_enrich $(DESTDIR)$(ZSHCOMPDIR)/_enrich
	install -m 644 completions/enrich.fish \
	    $(DESTDIR)$(FISHCOMPDIR)/enrich.fish
	install -m 644 share/prices $(DESTDIR)$(DATADIR)/prices

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/enrich $(DESTDIR)$(MANDIR)/man1/enrich.1 \
	    $(DESTDIR)$(COMPDIR)/enrich $(DESTDIR)$(ZSHCOMPDIR)/_enrich \
	    $(DESTDIR)$(FISHCOMPDIR)/enrich.fish $(DESTDIR)$(DATADIR)/prices
	rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true

# By pattern, so that a unit or module added or removed leaves nothing.
clean:
	rm -f enrich *.o lib/*.o lib/*.a tests/mock tests/*.o \
	    $(filter-out %.c %.h,$(wildcard tests/unit/test_*))
	rm -rf build

.PHONY: all need-deps units deps print-fresh check check-builds \
	check-build-plain check-build-san fuzz fuzzers demo bench lint install \
	uninstall clean
