# corm -- developer entry points (GNU make).
#
# Documented entry points:
#   make test   install missing Debian packages, build, start a throwaway PostgreSQL and
#               MariaDB server (tests/servers/servers.sh), run the test suites twice
#               against SQLite and both servers: a plain Debug build (./build) and an
#               AddressSanitizer + UndefinedBehaviorSanitizer build (./build-asan, leaks
#               are errors); the servers are stopped and removed at the end, also on
#               failure or ^C.
#   make demo   install missing build packages (no database server), build, run
#               ./build/examples/blog_demo (SQLite only: no server).
#   make bench / make bench-ir   corm against hand-written driver code: wall clock /
#               callgrind instruction counts (docs/performance.md).
#
# While iterating on a backend:
#   make servers-start   start both servers and keep them (state in $(SERVERS_ENV))
#   make check           build + both test passes against those servers
#   make servers-stop    stop them and remove their folders
#   make test TEST_BACKENDS=sqlite   only the SQLite suites, no server
#
# Other targets: deps, deps-build, build, install (PREFIX=/some/dir), format, clean, help,
# servers-status.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Debian packages. What building needs (the library with all three backends, the test
# suites and examples that `make build` compiles, the benchmark): `make deps-build`, which
# build, demo and bench use. libpq-dev / libmariadb-dev are only needed with the PostgreSQL /
# MariaDB backend (cmake -DCORM_WITH_POSTGRES=OFF / -DCORM_WITH_MYSQL=OFF leave them out).
DEB_BUILD_PACKAGES := cmake gcc make pkg-config libsqlite3-dev libcmocka-dev libjansson-dev \
	libgmp-dev uuid-dev libmd-dev libidn-dev libpcre2-dev libpq-dev libmariadb-dev
# What the tests add: the test servers (tests/servers/servers.sh), PostgreSQL 15 and MariaDB
# 10.11 with their clients; useradd (passwd), runuser/setpriv/setsid (util-linux), pgrep
# (procps), ss (iproute2). `make test` installs them when TEST_BACKENDS names a server.
DEB_TEST_PACKAGES := postgresql postgresql-client mariadb-server mariadb-client \
	passwd util-linux procps iproute2
# `make deps`: everything (build + test)
DEB_PACKAGES := $(DEB_BUILD_PACKAGES) $(DEB_TEST_PACKAGES)
# `make bench-ir`: callgrind, and its header valgrind/callgrind.h for corm_bench --ir
DEB_BENCH_IR_PACKAGES := valgrind

BUILD_DIR      := build
ASAN_BUILD_DIR := build-asan
CMAKE          ?= cmake
CTEST          ?= ctest
CLANG_FORMAT   ?= clang-format
JOBS           ?= $(shell nproc 2>/dev/null || echo 2)
# --no-tests=error: a tree that registered no tests must not count as a pass.
# --timeout: a suite stuck on a server lock fails after 5 minutes instead of 25.
CTEST_FLAGS    ?= --output-on-failure --no-tests=error --timeout 300
PREFIX         ?=
# Backends the behavioural suites run against; postgres/mysql get a throwaway server each.
TEST_BACKENDS  ?= sqlite;postgres;mysql
TEST_SERVERS   := $(filter postgres mysql,$(subst ;, ,$(TEST_BACKENDS)))
SERVERS_SH     := bash $(CURDIR)/tests/servers/servers.sh
# state of the servers kept up by `make servers-start` (sourceable shell file)
SERVERS_ENV    ?= $(CURDIR)/tests/servers/.servers.env

CMAKE_COMMON_FLAGS := -DCMAKE_BUILD_TYPE=Debug -DCORM_WERROR=ON '-DCORM_TEST_BACKENDS=$(TEST_BACKENDS)'
# The suites share one database per server: run them one at a time.
CTEST_RUN := env -u CTEST_PARALLEL_LEVEL $(CTEST) --parallel 1

# The build tool CMake spawns is a make of its own: do not hand it our jobserver/flags.
CMAKE_BUILD := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(CMAKE) --build

.PHONY: help deps deps-build build test check test-passes demo install format clean \
	servers-start servers-stop servers-status

help:
	@echo "corm make targets:"
	@echo "  make test     build + start PostgreSQL and MariaDB test servers + run the tests"
	@echo "                (plain pass, then the ASan/UBSan pass) + stop the servers"
	@echo "                TEST_BACKENDS='$(TEST_BACKENDS)' (e.g. TEST_BACKENDS=sqlite: no server)"
	@echo "  make servers-start / servers-stop / servers-status"
	@echo "               keep test servers up while iterating (state: $(SERVERS_ENV))"
	@echo "  make check    build + both test passes against the servers of servers-start"
	@echo "  make demo     build + run ./$(BUILD_DIR)/examples/blog_demo (SQLite; installs no server)"
	@echo "  make bench    corm vs hand-written driver code, wall clock [DB=postgres://...]"
	@echo "  make bench-ir the same in callgrind instruction counts [DB=postgres://...]"
	@echo "  make deps-build  install missing Debian build packages: $(DEB_BUILD_PACKAGES)"
	@echo "  make deps     install those and the test packages: $(DEB_TEST_PACKAGES)"
	@echo "  make build    configure and build ./$(BUILD_DIR) (Debug, -Werror)"
	@echo "  make install  cmake --install $(BUILD_DIR) [PREFIX=/some/dir]"
	@echo "  make format   clang-format -i over include/ src/ tests/ examples/"
	@echo "  make fuzz     libFuzzer targets of fuzz/ (clang), FUZZ_SECONDS=60 each [FUZZ_TARGETS=...]"
	@echo "  make clean    remove ./$(BUILD_DIR) and ./$(ASAN_BUILD_DIR)"

# $(call deb_install,PACKAGES): installs the missing ones (apt-get as root; otherwise prints
# the sudo line and fails).
define deb_install
	@if ! command -v dpkg >/dev/null 2>&1; then \
		echo "deps: dpkg not found (not a Debian system); make sure these are installed: $(1)"; \
		exit 0; \
	fi; \
	missing=""; \
	for p in $(1); do \
		if ! dpkg -s "$$p" 2>/dev/null | grep -q '^Status: install ok installed'; then \
			missing="$$missing $$p"; \
		fi; \
	done; \
	missing="$${missing# }"; \
	if [ -z "$$missing" ]; then \
		echo "deps: all Debian packages present"; \
		exit 0; \
	fi; \
	echo "deps: missing Debian packages: $$missing"; \
	if [ "$$(id -u)" -eq 0 ]; then \
		apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
		echo "deps: not root; install them with:"; \
		echo "sudo apt-get install -y $$missing"; \
		exit 1; \
	fi
endef

deps:
	$(call deb_install,$(DEB_PACKAGES))

deps-build:
	$(call deb_install,$(DEB_BUILD_PACKAGES))

build: deps-build
	$(CMAKE) -S . -B $(BUILD_DIR) $(CMAKE_COMMON_FLAGS) -DCORM_SANITIZE=OFF
	$(CMAKE_BUILD) $(BUILD_DIR) -j$(JOBS)

# `make test`: the servers live exactly as long as the two passes; servers.sh stops them
# and removes their folders on exit, on failure and on INT/TERM/HUP. exec: make's SIGTERM
# reaches servers.sh itself.
test: $(if $(TEST_SERVERS),deps,deps-build) build
	@$(if $(TEST_SERVERS),CORM_TEST_SERVERS='$(TEST_SERVERS)' exec $(SERVERS_SH) run --,exec) \
		$(MAKE) --no-print-directory test-passes

# `make check`: the same passes against the servers of `make servers-start`.
check: $(if $(TEST_SERVERS),deps,deps-build) build
	@$(if $(TEST_SERVERS),exec $(SERVERS_SH) exec --env-file $(SERVERS_ENV) --,exec) \
		$(MAKE) --no-print-directory test-passes

# Both passes always run once the plain build succeeds; the target fails if either fails.
# Needs the servers' variables (CORM_TEST_POSTGRES_URL, CORM_TEST_MYSQL_URL) when
# TEST_BACKENDS names them: use `make test` or `make check`, not this target.
test-passes:
	@echo "==> plain pass ($(BUILD_DIR))"
	@plain=0; \
	$(CTEST_RUN) --test-dir $(BUILD_DIR) $(CTEST_FLAGS) 2>&1 | tee $(BUILD_DIR)/ctest.log || plain=$$?; \
	echo; \
	echo "==> sanitizer pass (address,undefined) ($(ASAN_BUILD_DIR))"; \
	asan=0; \
	{ $(CMAKE) -S . -B $(ASAN_BUILD_DIR) -DCORM_SANITIZE=ON $(CMAKE_COMMON_FLAGS) \
	  && $(CMAKE_BUILD) $(ASAN_BUILD_DIR) -j$(JOBS) \
	  && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	     $(CTEST_RUN) --test-dir $(ASAN_BUILD_DIR) $(CTEST_FLAGS) 2>&1 | tee $(ASAN_BUILD_DIR)/ctest.log; \
	} || asan=$$?; \
	echo; \
	echo "==> summary"; \
	for d in $(BUILD_DIR) $(ASAN_BUILD_DIR); do \
		if [ -f "$$d/ctest.log" ]; then \
			grep -E 'tests passed|No tests were found|^The following tests FAILED|^[[:space:]]+[0-9]+ - ' "$$d/ctest.log" \
				| sed "s|^|  $$d: |" || true; \
		fi; \
	done; \
	if [ $$plain -ne 0 ]; then echo "  plain pass:     FAILED (exit $$plain)"; else echo "  plain pass:     OK"; fi; \
	if [ $$asan -ne 0 ]; then echo "  sanitizer pass: FAILED (exit $$asan)"; else echo "  sanitizer pass: OK"; fi; \
	[ $$plain -eq 0 ] && [ $$asan -eq 0 ]

servers-start: deps
	@CORM_TEST_SERVERS='$(TEST_SERVERS)' $(SERVERS_SH) start --env-file $(SERVERS_ENV)

servers-stop:
	@$(SERVERS_SH) stop --env-file $(SERVERS_ENV)

servers-status:
	@$(SERVERS_SH) status --env-file $(SERVERS_ENV)

demo: deps-build build
	@if [ ! -x $(abspath $(BUILD_DIR))/examples/blog_demo ]; then \
		echo "demo: $(abspath $(BUILD_DIR))/examples/blog_demo was not built"; exit 1; \
	fi
	$(abspath $(BUILD_DIR))/examples/blog_demo

install: build
	$(CMAKE) --install $(BUILD_DIR) $(if $(PREFIX),--prefix $(PREFIX))

format:
	@command -v $(CLANG_FORMAT) >/dev/null 2>&1 || { echo "format: $(CLANG_FORMAT) not found (apt-get install clang-format)"; exit 1; }
	{ find include -type f -name '*.h' -print0 2>/dev/null || true; \
	  find src tests examples -type f \( -name '*.c' -o -name '*.h' \) -print0 2>/dev/null || true; } \
		| xargs -0 -r $(CLANG_FORMAT) -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR)

# ---- benchmark: corm against hand-written driver code (bench/, docs/performance.md) ----
#   make bench                        SQLite in a fresh /dev/shm folder, Release build in $(BENCH_BUILD_DIR)
#   make bench DB=postgres://...      another database, given on the command line
#   make bench BENCH_ARGS='--quick'   corm_bench options: --quick, --reps N, --only W1,W2, --verbose
BENCH_BUILD_DIR ?= bench/build
BENCH_ARGS      ?=
.PHONY: bench bench-ir bench-configure
bench: bench-configure
	./$(BENCH_BUILD_DIR)/bench/corm_bench $(BENCH_ARGS) $(if $(filter command line,$(origin DB)),'$(DB)')

# The same Release build of corm_bench, under valgrind --tool=callgrind (bench/bench_ir.sh):
# each side of each workload alone, only the workload counted.
#   make bench-ir                     SQLite, rows divided by IR_DIV (default 10): ~1 minute
#   make bench-ir DB=postgres://...   a server (client-side instructions only)
#   make bench-ir IR_ONLY=get_pk,fetch_all IR_DIV=1
IR_DIV  ?= 10
IR_ONLY ?=
bench-ir: BENCH_EXTRA_DEPS := $(DEB_BENCH_IR_PACKAGES)
bench-ir: bench-configure
	@IR_DIV='$(IR_DIV)' IR_ONLY='$(IR_ONLY)' bash bench/bench_ir.sh ./$(BENCH_BUILD_DIR)/bench/corm_bench \
		$(if $(filter command line,$(origin DB)),'$(DB)')

# -UCORM_BENCH_HAVE_CALLGRIND: look for valgrind/callgrind.h again (installed since?)
bench-configure: deps-build
	$(if $(BENCH_EXTRA_DEPS),$(call deb_install,$(BENCH_EXTRA_DEPS)))
	$(CMAKE) -S . -B $(BENCH_BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DCORM_SANITIZE=OFF \
		-DCORM_BUILD_TESTS=OFF -DCORM_BUILD_EXAMPLES=OFF -DCORM_BUILD_BENCH=ON \
		-UCORM_BENCH_HAVE_CALLGRIND
	$(CMAKE_BUILD) $(BENCH_BUILD_DIR) -j$(JOBS) --target corm_bench

# ---- fuzzing: libFuzzer targets of fuzz/ (clang, -fsanitize=fuzzer,address,undefined) ----
#   make fuzz                         each target for FUZZ_SECONDS (60) on a copy of its corpus
#   make fuzz FUZZ_TARGETS=url FUZZ_SECONDS=300
# A crash (or a broken property) stops that target and fails the run; the input is written to
# $(FUZZ_BUILD_DIR)/crashes/<target>/. Add it to fuzz/corpus/<target>/ once fixed: the corpus
# is replayed by `make test` (fuzz_replay_<target>).
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS   ?= 60
FUZZ_TARGETS   ?= url lookup_path datetime decimal uuid json text_value
.PHONY: fuzz
fuzz: deps-build
	$(call deb_install,clang libclang-rt-14-dev)
	$(CMAKE) -S . -B $(FUZZ_BUILD_DIR) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
		-DCORM_SANITIZE=OFF -DCORM_BUILD_TESTS=OFF -DCORM_BUILD_EXAMPLES=OFF -DCORM_BUILD_BENCH=OFF \
		-DCORM_BUILD_FUZZ=ON
	$(CMAKE_BUILD) $(FUZZ_BUILD_DIR) -j$(JOBS) --target fuzz_targets
	@failed=""; \
	for t in $(FUZZ_TARGETS); do \
		work=$(FUZZ_BUILD_DIR)/corpus/$$t; crashes=$(FUZZ_BUILD_DIR)/crashes/$$t; \
		rm -rf "$$work"; mkdir -p "$$work" "$$crashes"; cp fuzz/corpus/$$t/* "$$work"/; \
		echo "==> fuzz_$$t for $(FUZZ_SECONDS)s"; \
		if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			./$(FUZZ_BUILD_DIR)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$$crashes/" "$$work" \
			> $(FUZZ_BUILD_DIR)/fuzz_$$t.log 2>&1; then \
			tail -n 12 $(FUZZ_BUILD_DIR)/fuzz_$$t.log | grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss)' || true; \
		else \
			grep -E -A40 '^==[0-9]+==|^fuzz: property|runtime error|^SUMMARY' $(FUZZ_BUILD_DIR)/fuzz_$$t.log | head -n 60 || true; \
			echo "fuzz_$$t FAILED: log $(FUZZ_BUILD_DIR)/fuzz_$$t.log, inputs in $$crashes/"; \
			failed="$$failed $$t"; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed"; exit 1; fi; \
	echo "fuzz: every target ran $(FUZZ_SECONDS)s without a crash"
