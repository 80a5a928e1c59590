# SPDX-License-Identifier: LGPL-2.1-or-later
# Thin wrapper around meson and ninja. `make` builds build/procviewd and
# build/procview; `make demo` and `make check` install what they need first.

BUILD ?= build
MESON_OPTS ?=

.PHONY: all deps demo check check-unit check-integration clean

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

clean:
	rm -rf $(BUILD)
