# Relais: the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
SYSTEM_PACKAGES := libmicrohttpd-dev libsqlite3-dev sqlite3 libsodium-dev libcurl4-openssl-dev pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release run test bench clean

# Installs the Debian packages Relais builds against, when one is missing.
deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@python3 -c "import icalendar, aiosmtpd" 2>/dev/null || python3 -m pip install -q icalendar aiosmtpd

build: deps
	swift build

release: deps
	swift build -c release

# Runs the daemon on the embedded defaults: data in ./var, http://127.0.0.1:8080.
run: release
	.build/release/relais serve

# The whole test suite.
test: deps
	swift build --build-tests
	swift test --skip-build

# Benchmarks: throughput of relais against a C libmicrohttpd server, side by side.
bench: release
	bash Benchmarks/run.sh

clean:
	rm -rf .build
