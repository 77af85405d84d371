# oauth1-fcgi: `make run` starts the provider behind nginx on 127.0.0.1:8080; `make test` runs every test;
# `make install` and `make deb` install or package the release binary (docs/operations.md, "Installing").
# Each target first installs the Debian packages it needs that are missing.

SWIFT        ?= swift
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD_PACKAGES := pkg-config libfcgi-dev libssl-dev libsqlite3-dev libpq-dev libhiredis-dev
RUN_PACKAGES   := $(BUILD_PACKAGES) nginx openssl python3
BENCH_PACKAGES := $(RUN_PACKAGES) gcc libfcgi-dev spawn-fcgi wrk python3-oauthlib python3-cryptography python3-jwt postgresql redis-server
TEST_PACKAGES  := $(RUN_PACKAGES) gcc spawn-fcgi wrk python3-oauthlib python3-requests python3-requests-oauthlib python3-jwt \
                  python3-cryptography ruby ruby-oauth chromium chromium-driver python3-selenium \
                  apache2 apache2-utils libapache2-mod-fcgid sudo postgresql redis-server \
                  dpkg-dev passwd systemd groff-base
# dpkg-shlibdeps (dpkg-dev) computes the package's Depends; readelf (binutils) lists what the binary links.
PACKAGE_PACKAGES := dpkg-dev binutils

.PHONY: all build release run stop test bench bench-smoke fuzz fuzz-build fuzz-replay deps-build deps-run deps-test deps-bench \
        deps-package install deb clean

all: build

# Installs whatever of the listed packages dpkg does not report as installed.
define ensure_packages
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps-build:
	$(call ensure_packages,$(BUILD_PACKAGES))

deps-run:
	$(call ensure_packages,$(RUN_PACKAGES))

deps-bench:
	$(call ensure_packages,$(BENCH_PACKAGES))

deps-test:
	$(call ensure_packages,$(TEST_PACKAGES))

deps-package:
	$(call ensure_packages,$(PACKAGE_PACKAGES))

build: deps-build
	$(SWIFT) build

# The directory of the Swift toolchain's binaries (swift, clang, ld.lld), with a trailing slash.
TOOLCHAIN_BIN = $(dir $(realpath $(shell command -v $(SWIFT))))

# Release builds link the Swift runtime (and FoundationEssentials, for ArgumentParser) statically: a CGI process starts
# about 3 ms sooner, and the binary runs on a host (shared hosting) that has no Swift toolchain. Where the toolchain has
# lld and glibc is 2.36 or later, they also pack the relative relocations (DT_RELR): the loader then reads 14 KiB of
# them at each start instead of 1.7 MiB, and a worker keeps 1.2 MiB less resident. Such a binary needs glibc 2.36 where
# it runs.
RELEASE_LINK_FLAGS ?= $(shell glibc=$$(getconf GNU_LIBC_VERSION 2>/dev/null | cut -d' ' -f2); \
  if [ -x "$(TOOLCHAIN_BIN)ld.lld" ] && [ -n "$$glibc" ] && [ "$$(printf '2.36\n%s\n' "$$glibc" | sort -V | head -n1)" = 2.36 ]; \
  then echo "-Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs"; fi)

# They link the C++ runtime that the Swift runtime uses statically as well (GCC's libstdc++.a, found by the toolchain's
# clang, put alone in a directory searched before GCC's own, where libstdc++.so would win): 70 KB more, and a CGI process
# no longer maps libstdc++.so.6 nor binds its 1,666 symbols at start, 2.0 M fewer instructions (bench/README.md).
STATIC_CXX_DIR := $(CURDIR)/.build/static-libstdc++
STATIC_CXX_ARCHIVE = $(shell "$(TOOLCHAIN_BIN)clang" -print-file-name=libstdc++.a 2>/dev/null)

release: deps-build
	@archive='$(STATIC_CXX_ARCHIVE)'; mkdir -p '$(STATIC_CXX_DIR)'; \
	if [ -f "$$archive" ]; then ln -sf "$$archive" '$(STATIC_CXX_DIR)/libstdc++.a'; \
	else rm -f '$(STATIC_CXX_DIR)/libstdc++.a'; echo "release: no libstdc++.a (libstdc++-dev); linking libstdc++.so"; fi
	$(SWIFT) build -c release --static-swift-stdlib $(RELEASE_LINK_FLAGS) -Xswiftc -Xclang-linker -Xswiftc -L$(STATIC_CXX_DIR)

# `make install` puts the binary, the snippets, the templates, the systemd units, the man page and the docs under PREFIX
# (staged under DESTDIR when given), and a configuration file in SYSCONFDIR unless one is there. `make deb` builds
# dist/oauth1-fcgi_VERSION_ARCH.deb. Both build the release binary first, unless BINARY names one already built.
PREFIX     ?= /usr/local
DESTDIR    ?=
SYSCONFDIR ?=
UNITDIR    ?=
BINARY     ?=
RELEASE_BINARY := .build/release/oauth1-fcgi

install: $(if $(BINARY),,release)
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" SYSCONFDIR="$(SYSCONFDIR)" UNITDIR="$(UNITDIR)" \
	  packaging/install.sh $(or $(BINARY),$(RELEASE_BINARY))

deb: deps-package $(if $(BINARY),,release)
	packaging/build-deb.sh $(or $(BINARY),$(RELEASE_BINARY)) dist

run: deps-run release
	scripts/run.sh

stop:
	scripts/stop.sh

# The benchmark (bench/README.md): the FastCGI floor, protected GET /user with HMAC-SHA1 and RSA-SHA1, the three-legged
# flow and CGI mode, behind one nginx, interleaved over rounds. Not part of `make test`, which runs a smoke of it.
bench: deps-bench release
	/usr/bin/python3 bench/run.py $(BENCH_ARGS)

bench-smoke: deps-bench release
	/usr/bin/python3 bench/run.py --smoke $(BENCH_ARGS)

test: deps-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Fuzzing (Tests/fuzz/README.md): each target of the oauth1-fuzz harness runs under libFuzzer and AddressSanitizer for
# FUZZ_SECONDS, at the lowest priority, with the committed seeds; what it finds goes to .build-fuzz (never into the seeds).
FUZZ_SECONDS ?= 60
FUZZ_ARGS    ?=
FUZZ_TARGETS := authorization-header:2048 form-decoding:4096 signature-base-string:4096 gateway-environment:4096 \
                pem:4096 configuration:2048 session-cookie:1024 sealed-secret:512 page-template:4096
FUZZ_RUNTIME  = $(firstword $(wildcard $(TOOLCHAIN_BIN)../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-$(shell uname -m).a))
FUZZ_BIN     := .build-fuzz/release/oauth1-fuzz
# libFuzzer without its main: SwiftPM points an executable's main at the Swift entry point, which starts libFuzzer's driver.
FUZZ_BUILD_FLAGS = -c release --product oauth1-fuzz --scratch-path .build-fuzz -Xswiftc -DFUZZING -Xswiftc -sanitize=address \
                   -Xswiftc -sanitize-coverage=edge,indirect-calls,trace-cmp,inline-8bit-counters,pc-table \
                   -Xlinker $(FUZZ_RUNTIME) -Xlinker -lstdc++
FUZZ_ENV     := SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1

fuzz-build: deps-build
	@test -n "$(FUZZ_RUNTIME)" || { echo "libclang_rt.fuzzer_no_main is not in the Swift toolchain"; exit 1; }
	nice -n 19 $(SWIFT) build $(FUZZ_BUILD_FLAGS)

fuzz: fuzz-build
	@mkdir -p .build-fuzz/logs; for spec in $(FUZZ_TARGETS); do \
	  target=$${spec%%:*}; maxlen=$${spec##*:}; work=.build-fuzz/corpus/$$target; artifacts=.build-fuzz/crashes/$$target/; \
	  mkdir -p $$work $$artifacts; regressions=; [ -d Tests/fuzz/regressions/$$target ] && regressions=Tests/fuzz/regressions/$$target; \
	  echo "== $$target: $(FUZZ_SECONDS) s, max_len $$maxlen"; \
	  FUZZ_TARGET=$$target $(FUZZ_ENV) nice -n 19 $(FUZZ_BIN) $$work Tests/fuzz/corpus/$$target $$regressions \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=$$maxlen -artifact_prefix=$$artifacts -print_final_stats=1 $(FUZZ_ARGS) \
	    > .build-fuzz/logs/$$target.log 2>&1 || { tail -n 60 .build-fuzz/logs/$$target.log; echo "$$target FAILED: input in $$artifacts"; exit 1; }; \
	  grep -E '^#[0-9]+.*(INITED|DONE)|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' .build-fuzz/logs/$$target.log; \
	done

# Runs every seed and regression input once under AddressSanitizer (make test replays them without it).
fuzz-replay: fuzz-build
	@mkdir -p .build-fuzz/logs; for spec in $(FUZZ_TARGETS); do target=$${spec%%:*}; log=.build-fuzz/logs/replay-$$target.log; \
	  printf '%-22s ' $$target; FUZZ_TARGET=$$target $(FUZZ_ENV) $(FUZZ_BIN) -runs=0 Tests/fuzz/corpus/$$target \
	    $$( [ -d Tests/fuzz/regressions/$$target ] && echo Tests/fuzz/regressions/$$target ) > $$log 2>&1 \
	    && grep INITED $$log || { echo; tail -n 60 $$log; exit 1; }; \
	done

clean:
	rm -rf .build .build-fuzz dist
