// Where the grader finds the celab checkout (include/, grader/abi, cases, docs) and its build tree (the
// submission cache), found at run time, so that no absolute source or build path is compiled in and a
// checkout with its build tree can be moved or copied elsewhere.
#pragma once

#include <filesystem>

namespace celab::grader::locations {

// The running program's own file (/proc/self/exe on Linux, _NSGetExecutablePath on macOS); empty when
// it cannot be found.
std::filesystem::path executable();

// The celab checkout, the first that exists of:
//   1. the environment variable CELAB_ROOT (./grade and ./course set it);
//   2. the nearest ancestor of the executable's folder holding include/celab/exercises.hpp and
//      grader/abi/entry.cpp (build trees inside the checkout: build/, build-asan/, ...);
//   3. CMAKE_HOME_DIRECTORY of the build tree's CMakeCache.txt (a build tree outside the checkout).
// Empty when none is found.
std::filesystem::path source_root();

// The build tree: the nearest ancestor of the executable's folder holding CMakeCache.txt, else the
// folder above the executable's (build/grader/celab-grade -> build/).
std::filesystem::path build_root();

// Whether `dir` is a celab checkout (the test of 2. above).
bool is_source_root(const std::filesystem::path& dir);

}  // namespace celab::grader::locations
