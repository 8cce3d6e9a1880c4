# enrich: see README.md.  `make check` and `make demo` set up a fresh Debian
# 12 machine themselves (apt-get, with sudo when not root).
#
# Everything builds into $(O): the tree itself by default, build/san for
# the sanitizer build that `make check` runs the suite under as well.

PREFIX ?=	/usr/local
BINDIR ?=	$(PREFIX)/bin
MANDIR ?=	$(PREFIX)/share/man
COMPDIR ?=	$(PREFIX)/share/bash-completion/completions
DESTDIR ?=
O ?=		.

CC ?=		cc
PKGS =		libcurl libbsd-overlay
CPPFLAGS +=	-D_GNU_SOURCE -DJSMN_PARENT_LINKS -DJSMN_STRICT -Ilib
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

LIBSRC =	lib/buf.c lib/json.c lib/template.c lib/idset.c lib/lines.c \
		lib/request.c lib/retry.c lib/limit.c lib/pool.c lib/output.c \
		lib/row.c lib/progress.c lib/tune.c
LIBOBJ =	$(LIBSRC:%.c=$(O)/%.o)
HDRS =		$(wildcard lib/*.h)
UNITS =		json template idset lines request output retry limit \
		progress tune
UNITBIN =	$(UNITS:%=$(O)/tests/unit/test_%)

# The Debian 12 packages that building and testing need.
DEPS =		make gcc libc6-dev pkg-config libcurl4-openssl-dev \
		libjsmn-dev libbsd-dev libnghttp2-dev jq mandoc valgrind curl \
		parallel python3-h2 openssl
FUZZDEPS =	clang libclang-rt-14-dev
BENCHDEPS =	python3-requests python3-aiohttp wrk nginx openssl \
		nghttp2-client

all: $(O)/enrich $(O)/tests/mock

$(O)/enrich: $(O)/filter.o $(O)/lib/libenrich.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(O)/filter.o $(O)/lib/libenrich.a \
	    $(PKG_LIBS)

$(O)/lib/libenrich.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(O)/%.o: %.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(O)/tests/mock: $(wildcard tests/mock*.c) tests/mock.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(MOCK_CFLAGS) -o $@ \
	    $(wildcard tests/mock*.c) $(MOCK_LIBS)

$(O)/tests/unit/test_%: tests/unit/test_%.c tests/unit/check.h \
    $(O)/lib/libenrich.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< \
	    $(O)/lib/libenrich.a $(PKG_LIBS)

units: $(UNITBIN)

# Install what is missing; a fresh Debian 12 machine needs nothing else.
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

# The suite twice: as built, and under ASan and UBSan.
check: deps
	$(MAKE) all units
	$(MAKE) O=build/san CFLAGS="$(SANFLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined" all units
	sh tests/check.sh . build/san

# libFuzzer over the row parser, responses, templates and --skip-ids, each
# for FUZZ_SECONDS, starting from the seeds in tests/fuzz/corpus.
FUZZ_SECONDS ?=	30
FUZZERS =	row response template skipids
FUZZFLAGS =	-g -O1 -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=all

fuzz: deps
	$(MAKE) deps DEPS="$(FUZZDEPS)"
	$(MAKE) O=build/fuzz CC=clang CFLAGS="$(FUZZFLAGS)" \
	    build/fuzz/lib/libenrich.a
	@for f in $(FUZZERS); do \
	    clang $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
	    $(PKG_CFLAGS) -o build/fuzz/fuzz_$$f tests/fuzz/fuzz_$$f.c \
	    build/fuzz/lib/libenrich.a $(PKG_LIBS) || exit 1; \
	    mkdir -p build/fuzz/corpus-$$f && \
	    cp tests/fuzz/corpus/$$f/* build/fuzz/corpus-$$f/ && \
	    echo "fuzz_$$f: $(FUZZ_SECONDS) s" && \
	    build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=65536 -artifact_prefix=build/fuzz/crash-$$f- \
	    -print_final_stats=1 build/fuzz/corpus-$$f 2>&1 | \
	    grep -E '^(stat::number_of_executed_units|stat::peak_rss|==|SUMMARY|.*ERROR)' \
	    ; [ $$? -le 1 ] || exit 1; \
	    ls build/fuzz/crash-$$f-* >/dev/null 2>&1 && \
	    { echo "fuzz_$$f found a crash"; exit 1; }; \
	done; echo "fuzz: no crashes"

demo: deps all
	sh examples/demo.sh

bench: deps
	$(MAKE) deps DEPS="$(BENCHDEPS)"
	$(MAKE) enrich tests/mock
	sh bench/run.sh

lint:
	mandoc -Tlint -Wwarning man/enrich.1

install: $(O)/enrich
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(COMPDIR)
	install -m 755 $(O)/enrich $(DESTDIR)$(BINDIR)/enrich
	install -m 644 man/enrich.1 $(DESTDIR)$(MANDIR)/man1/enrich.1
	install -m 644 completions/enrich.bash $(DESTDIR)$(COMPDIR)/enrich

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/enrich $(DESTDIR)$(MANDIR)/man1/enrich.1 \
	    $(DESTDIR)$(COMPDIR)/enrich

clean:
	rm -f enrich filter.o lib/*.o lib/libenrich.a tests/mock \
	    $(UNITS:%=tests/unit/test_%)
	rm -rf build

.PHONY: all units check fuzz bench demo deps lint install uninstall clean
