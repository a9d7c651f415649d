# Shared by ./grade and ./test: find or install what celab needs, then configure a build tree.
# Sourced, not run. Functions return 2 when the machine is not ready, after saying how to fix it.

CELAB_APT_PACKAGES=(libboost-test-dev libboost-program-options-dev libeigen3-dev nlohmann-json3-dev)
# Only for the test suite, not for students: tmux drives ./grade --watch (tests/test_watch.cpp) and
# chromium renders the HTML report (tests/test_html_report.cpp); without them those tests skip.
CELAB_TEST_APT_PACKAGES=(tmux chromium)
# Required by the instructor's tools (course/: libzip writes the Gradescope bundle) and so by the test suite,
# not by students: ./test and ./course pass them to celab_ensure_packages; ./grade does not, and without
# them CMake leaves the instructor's tools out (instructor/gradescope/CMakeLists.txt).
CELAB_COURSE_APT_PACKAGES=(libzip-dev pkg-config)

celab_say() { printf 'celab: %s\n' "$*" >&2; }

celab_install_instructions() {
  cat >&2 <<'TXT'
celab needs a C++17 compiler, CMake >= 3.20, Boost (unit_test_framework, program_options), Eigen 3 and
nlohmann-json. Install them with one of:
  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y g++ cmake libboost-test-dev libboost-program-options-dev libeigen3-dev nlohmann-json3-dev
  macOS (brew):   brew install cmake boost eigen nlohmann-json
  Fedora (dnf):   sudo dnf install -y gcc-c++ cmake boost-devel eigen3-devel json-devel
then run the command again.
TXT
}

# Debian packages of CELAB_APT_PACKAGES (or of the arguments) that are not installed (empty when
# dpkg is absent).
celab_missing_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local p wanted=("$@")
  [[ $# -eq 0 ]] && wanted=("${CELAB_APT_PACKAGES[@]}")
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$p"
  done
}

# The compiler and build tools, installed by celab_ensure_toolchain (the dev container's setup) where
# apt-get is available; ./grade and ./test only check for them.
CELAB_APT_TOOLS=(g++ cmake ninja-build)

# Prints the sudo prefix to install packages with (empty for root); returns 1 when we cannot install.
celab_sudo() {
  if [[ $(id -u) -eq 0 ]]; then return 0; fi
  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && { echo "sudo -n"; return 0; }
  return 1
}

# apt-get install of the given packages (as root or with passwordless sudo); returns 2 on failure.
celab_apt_install() {
  local sudo
  if ! sudo=$(celab_sudo); then
    celab_say "missing packages: $* (no root and no passwordless sudo, so not installing them)."
    celab_install_instructions
    return 2
  fi
  celab_say "installing missing packages: $*"
  # shellcheck disable=SC2086  # $sudo is empty or "sudo -n"
  if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
         $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; } >&2; then
    celab_say "installing packages failed."
    celab_install_instructions
    return 2
  fi
}

# Installs the compiler, CMake and Ninja when one is missing and apt-get exists (else as celab_ensure_packages).
celab_ensure_toolchain() {
  if command -v cmake >/dev/null 2>&1 && command -v c++ >/dev/null 2>&1 && command -v ninja >/dev/null 2>&1; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || return 0  # elsewhere celab_ensure_packages explains what to install
  celab_apt_install "${CELAB_APT_TOOLS[@]}"
}

# celab_ensure_packages [EXTRA...]: installs the missing packages of CELAB_APT_PACKAGES and EXTRA when we
# are root or have passwordless sudo; otherwise explains and returns 2.
celab_ensure_packages() {
  if ! command -v cmake >/dev/null 2>&1 || ! command -v c++ >/dev/null 2>&1; then
    celab_say "cmake or a C++ compiler is missing."
    celab_install_instructions
    return 2
  fi
  local missing
  missing=$(celab_missing_packages "${CELAB_APT_PACKAGES[@]}" "$@")
  [[ -z $missing ]] && return 0
  # shellcheck disable=SC2086  # one word per package
  celab_apt_install $missing
}

# CI: installs CELAB_TEST_APT_PACKAGES when we are root or have passwordless sudo; otherwise says
# which tests will skip. Never fails: the tests say why they skip.
celab_ensure_test_packages() {
  local missing
  missing=$(celab_missing_packages "${CELAB_TEST_APT_PACKAGES[@]}")
  [[ -z $missing ]] && return 0
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      celab_say "test packages missing: $missing(not root: the watch and HTML tests will skip; install with: sudo apt-get install -y $missing)"
      return 0
    fi
  fi
  celab_say "installing test packages: $missing"
  { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing; } >&2 ||
    celab_say "installing $missing failed: the watch and HTML tests will skip."
  return 0
}

# celab_configure PRESET DIR: configure the preset's build tree once (later runs reuse it). A tree
# counts as configured only after a configure that succeeded (the stamp file); a failed configure
# removes what it left (CMakeCache.txt, CMakeFiles/), so the next run starts clean instead of failing
# on a half-made tree. Compiled objects stay, so a reconfigure rebuilds little.
celab_configure() {
  local preset=$1 dir=$2
  [[ -f $dir/CMakeCache.txt && -f $dir/.celab-configured ]] && return 0
  local generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  mkdir -p "$dir"
  rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  if ! cmake --preset "$preset" -B "$dir" "${generator[@]}" >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log" >&2
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
    celab_say "configuring the build failed (log above; kept in $dir/configure.log)."
    # A missing library (find_package) is a missing package; anything else (a broken compiler) is not.
    if grep -q "Could NOT find\|Could not find a package configuration file" "$dir/configure.log"; then
      celab_install_instructions
    fi
    return 2
  fi
  touch "$dir/.celab-configured"
}

# celab_build DIR LOG TARGET...: build the targets, output in LOG. When the build fails because the
# tree itself is broken (CMake's regeneration failed, build.ninja unreadable), configure afresh once
# and try again. Returns the build's status.
celab_build() {
  local dir=$1 log=$2 preset=$3
  shift 3
  cmake --build "$dir" "$@" >"$log" 2>&1 && return 0
  if grep -q "CMake Error\|loading 'build.ninja'\|build.ninja: No such file\|Makefile: No such file" "$log"; then
    rm -f "$dir/.celab-configured"
    celab_configure "$preset" "$dir" || return 2
    cmake --build "$dir" "$@" >"$log" 2>&1 && return 0
  fi
  return 1
}
