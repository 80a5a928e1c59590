# SPDX-License-Identifier: LGPL-2.1-or-later
# Thin wrapper around meson and ninja. `make` builds build/procviewd and
# build/procview; `make demo` and `make check` install what they need first.

BUILD ?= build
MESON_OPTS ?=

.PHONY: all deps demo check check-unit check-integration check-asan fuzz format-check clean bench bench-smoke soak

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(MESON_OPTS) $(BUILD)

deps:
	./scripts/install-deps.sh

demo: deps all
	./scripts/demo.sh

check: deps all
	./tests/run.sh

check-unit: all
	./tests/run.sh unit

check-integration: all
	./tests/run.sh integration

# The cgroup v2 tests inside a qemu VM that boots Debian's kernel, as root;
# see tests/vm/README.md.
.PHONY: check-vm
check-vm: deps all
	./scripts/install-deps.sh vm
	./tests/vm/run.sh

# The same tests against a build with AddressSanitizer and UBSan; any report fails them.
check-asan: deps
	test -f build-asan/build.ninja || meson setup -Db_sanitize=address,undefined -Db_lundef=false build-asan
	ninja -C build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		PROCVIEW_BUILD=$(CURDIR)/build-asan ./tests/run.sh

# libFuzzer harnesses (tests/fuzz) built with clang, ASan and UBSan, each run
# for FUZZ_SECONDS; fails when any harness finds a crash.
FUZZ_SECONDS ?= 60

fuzz: deps
	test -f build-fuzz/build.ninja || \
		CC=clang meson setup -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false build-fuzz
	ninja -C build-fuzz
	./tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# procviewd against LXCFS on this machine; prints PASS/FAIL per target and
# exits 0 unless a step breaks. Needs root. See docs/benchmarks.md.
bench: all
	./bench/run.sh

# The same steps for a few seconds with small counts, to check that they work.
bench-smoke: all
	BENCH_SMOKE=1 ./bench/run.sh

# Containers start and stop while 16 readers loop over every view for
# SOAK_SECONDS; procviewd's RSS and open fds must stay flat. Needs root.
SOAK_SECONDS ?= 1800

soak: deps all
	SOAK_SECONDS=$(SOAK_SECONDS) ./tests/soak/soak.sh

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan build-fuzz
