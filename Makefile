# SPDX-License-Identifier: Apache-2.0
# Shortcuts over the CMake build. `make` builds, `make test` runs every test layer.
BUILD      ?= build
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 30

.PHONY: all build test unit e2e asan fuzz bench format demo clean

all: build

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# Unit tests (ctest) and end-to-end tests against real peers.
test: build
	bash scripts/test.sh

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

e2e: build
	bash tests/e2e/run.sh

# Unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTARN_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS)

# Every fuzz target for FUZZ_SECONDS each (clang's libFuzzer).
fuzz:
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DTARN_FUZZ=ON -DTARN_TESTS=OFF >/dev/null
	cmake --build build-fuzz -j $(JOBS)
	bash scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

bench: build
	bash bench/run.sh

demo: build
	bash scripts/demo.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan build-fuzz
