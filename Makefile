# oauth1-fcgi: `make run` starts the provider behind nginx on 127.0.0.1:8080; `make test` runs every test.
# Each target first installs the Debian packages it needs that are missing.

SWIFT        ?= swift
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD_PACKAGES := pkg-config libfcgi-dev libssl-dev libsqlite3-dev
RUN_PACKAGES   := $(BUILD_PACKAGES) nginx openssl python3
BENCH_PACKAGES := $(RUN_PACKAGES) gcc libfcgi-dev spawn-fcgi wrk python3-oauthlib python3-cryptography python3-jwt
TEST_PACKAGES  := $(RUN_PACKAGES) gcc spawn-fcgi wrk python3-oauthlib python3-requests python3-requests-oauthlib python3-jwt \
                  python3-cryptography ruby ruby-oauth chromium chromium-driver python3-selenium \
                  apache2 libapache2-mod-fcgid

.PHONY: all build release run stop test bench bench-smoke deps-build deps-run deps-test deps-bench clean

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

build: deps-build
	$(SWIFT) build

# Release builds link the Swift runtime and Foundation statically: a CGI process starts about 3 ms sooner, and the
# binary runs on a host (shared hosting) that has no Swift toolchain.
release: deps-build
	$(SWIFT) build -c release --static-swift-stdlib

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

clean:
	rm -rf .build
