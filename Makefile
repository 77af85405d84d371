# oauth1-fcgi: `make test` runs every test; later targets (`make run`, `make bench`) arrive with their issues.
# Each target first installs the Debian packages it needs that are missing.

SWIFT        ?= swift
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD_PACKAGES := pkg-config libfcgi-dev libssl-dev libsqlite3-dev
TEST_PACKAGES  := $(BUILD_PACKAGES) openssl python3 python3-oauthlib

.PHONY: all build test deps-build deps-test clean

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

deps-test:
	$(call ensure_packages,$(TEST_PACKAGES))

build: deps-build
	$(SWIFT) build

test: deps-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
