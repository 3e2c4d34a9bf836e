# Thin front door over CMake. The real build lives in CMakeLists.txt.
#   make demo           install missing packages, build, run the demo journey
#   make test           install missing packages, build, run every test (CTest)
#   make test-sanitize  the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench          print the performance table
#   make package        the Debian package of one board (build/kiosk_<version>_<board>_<arch>.deb)
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

.PHONY: all deps configure build demo test test-sanitize fuzz bench format format-check clean package

all: build

deps:
	@tools/setup-deps

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIOSK_WERROR=ON $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

demo: build
	@tools/demo/run-demo $(BUILD)

test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-sanitize: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DKIOSK_WERROR=ON -DKIOSK_SANITIZE=ON $(CMAKE_ARGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) -- --no-print-directory
	@ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -LE "large|crash|board"

bench: build
	@$(BUILD)/tools/bench/kiosk-bench --kiosk $(BUILD)/ui/kiosk \
	  --nfc-sim $(BUILD)/tools/nfc-sim/nfc-sim --kioskctl $(BUILD)/tools/kioskctl/kioskctl \
	  --central $(BUILD)/tools/central/central

# The Debian package of one board (docs/board.md). Another board:
#   make package CMAKE_ARGS=-DBOARD=rpi4-mirror
package: build
	@cmake --build $(BUILD) --target package -- --no-print-directory

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	@rm -rf $(BUILD) $(ASAN_BUILD)

# libFuzzer targets (clang), each run briefly over its corpus through CTest.
FUZZ_BUILD ?= build-fuzz
fuzz:
	@tools/setup-deps clang libclang-rt-14-dev
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DKIOSK_FUZZ=ON $(CMAKE_ARGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) -- --no-print-directory
	@ctest --test-dir $(FUZZ_BUILD) -R '^fuzz\.' --output-on-failure
