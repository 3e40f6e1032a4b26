# Relais: the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
SYSTEM_PACKAGES := libmicrohttpd-dev libsqlite3-dev sqlite3 libsodium-dev libcurl4-openssl-dev libcmark-gfm-dev libcmark-gfm-extensions-dev pkg-config
# The browser tests: Debian's chromium and its driver; the SMS tests: Kannel (bearerbox, smsbox) and its fake SMS centre.
TEST_PACKAGES := chromium chromium-driver faketime kannel kannel-extras
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test-deps build release run test bench clean

# Installs the Debian packages Relais builds against, when one is missing.
deps:
	@$(MAKE) --no-print-directory install-missing PACKAGES="$(SYSTEM_PACKAGES)"

# What only the tests need: chromium for the browser tests, and the Python packages the tests
# use as independent tools (an iCalendar parser, an SMTP server, selenium).
test-deps: deps
	@$(MAKE) --no-print-directory install-missing PACKAGES="$(TEST_PACKAGES)"
	@python3 -c "import icalendar, aiosmtpd, selenium" 2>/dev/null || python3 -m pip install -q icalendar aiosmtpd selenium
	@python3 -c "import schemathesis, jsonschema, openapi_spec_validator" 2>/dev/null || python3 -m pip install -q schemathesis jsonschema openapi-spec-validator
	@# axe-core for the accessibility checks: only its axe.min.js (4.12.1) is used, so not its playwright dependency.
	@python3 -m pip show axe-playwright-python 2>/dev/null | grep -q "^Version: 0.1.8$$" || python3 -m pip install -q --no-deps axe-playwright-python==0.1.8

install-missing:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build

# Linked as the Dockerfile links it: the Swift runtime and Foundation static, which starts faster
# and maps less than loading their shared libraries, and optimised for size (-Osize): 1.5 MB less
# code, which an idle daemon keeps mapped (see the benchmark's idle RSS), for the same throughput.
release: deps
	swift build -c release --static-swift-stdlib -Xswiftc -Osize

# Runs the daemon on the embedded defaults: data in ./var, http://127.0.0.1:8080.
run: release
	.build/release/relais serve

# The whole test suite: Swift tests, then the browser tests (screenshots in Tests/output/screenshots).
test: test-deps
	swift build --build-tests
	swift test --skip-build
	python3 Tests/Browser/browser_test.py
	python3 Tests/API/openapi_test.py
	python3 Tests/Reports/csv_test.py

# Benchmarks: throughput of relais against a C libmicrohttpd server, side by side.
bench: release
	bash Benchmarks/run.sh

clean:
	rm -rf .build
