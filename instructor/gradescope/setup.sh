#!/usr/bin/env bash
# Gradescope's setup.sh (written into the autograder zip by ./course gradescope). Gradescope runs it
# once, as root, when it builds the autograder image, with the zip unpacked in $AUTOGRADER_ROOT/source
# (default /autograder). It does everything that can be done once, so that run_autograder compiles only
# the student's three files:
#   1. installs the compiler, CMake, Ninja, Boost, Eigen and nlohmann-json (apt-get; skipped when present);
#   2. configures celab/build (Release, without the test suite) and builds the grader, celab-grade;
#   3. grades the reference solutions once, which fills the grader's build cache (celab/build/submissions):
#      the precompiled header of Eigen and the exercise API, and the objects every submission links with.
# On failure it exits non-zero (Gradescope then shows the failed build on the Configure Autograder page)
# and leaves celab/build/gradescope-setup.failed, so that run_autograder reports it in results.json.
set -uo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
celab=$root/source/celab
build=$celab/build
log=$celab/gradescope-setup.log
failed=$build/gradescope-setup.failed

mkdir -p "$build"
rm -f "$failed"
: >"$log"
say() { printf 'celab setup: %s\n' "$*" | tee -a "$log" >&2; }
fail() {
  say "$1"
  { printf '%s\n' "$1"; tail -n 40 "$log"; } >"$failed"
  exit 1
}

cd "$celab" || fail "no celab folder in $root/source: was the zip made with ./course gradescope?"
# shellcheck source=/dev/null
source scripts/lib.sh || fail "cannot read scripts/lib.sh"

say "installing packages (when missing)"
{ celab_ensure_toolchain && celab_ensure_packages; } >>"$log" 2>&1 || fail "installing the packages failed (log: $log)"

say "configuring $build"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake --preset default -B "$build" "${generator[@]}" -DBUILD_TESTING=OFF >>"$log" 2>&1 ||
  fail "configuring the build failed (log: $log)"
touch "$build/.celab-configured"  # ./grade reuses this tree (scripts/lib.sh, celab_configure)

say "building the grader"
jobs=$(nproc 2>/dev/null || echo 2)
cmake --build "$build" --target celab-grade -j "$jobs" >>"$log" 2>&1 || fail "building the grader failed (log: $log)"

say "grading the reference solutions once (fills the build cache)"
CELAB_ROOT=$celab "$build/grader/celab-grade" --submission "$celab/solutions" --format json \
  --output "$build/gradescope-reference.json" >>"$log" 2>&1
status=$?
[[ $status -eq 0 ]] || fail "the reference solutions do not pass (exit status $status; log: $log)"
say "done"
