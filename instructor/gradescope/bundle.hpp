// The Gradescope autograder bundle: one zip holding setup.sh and run_autograder at its root (Gradescope's
// "Autograder Specifications") and the course in celab/: the celab checkout (sources, the reference
// solutions, the stubs, course.json) and the instructor's hidden cases in celab/hidden-cases/N-NAME/.
//
//   setup.sh        (instructor/gradescope/setup.sh) runs once when Gradescope builds the image: installs the
//                   packages, builds the grader and grades the reference once, so that the precompiled
//                   Eigen header and the grader's own objects are cached;
//   run_autograder  (instructor/gradescope/run_autograder) runs for every submission: copies softmax.cpp,
//                   loss.cpp and gradient.cpp from $AUTOGRADER_ROOT/submission (nested folders too),
//                   grades them with the hidden cases and writes $AUTOGRADER_ROOT/results/results.json,
//                   also when something went wrong (saying what).
//
// docs/gradescope-and-classroom.md has the commands. Built on libzip.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace celab::course {

struct BundleOptions {
    std::filesystem::path out_zip;
    std::vector<std::filesystem::path> case_dirs;  // the instructor's case folders (*.json), usually hidden
    std::filesystem::path source_root;             // the celab checkout to pack
    // How Gradescope shows hidden cases (CELAB_GRADESCOPE_HIDDEN, grader/src/report_gradescope.cpp):
    // "after_published" (tests of their own, shown with the total score once grades are published) or
    // "visible" (in the visible tests, their names and verdicts only).
    std::string hidden = "after_published";
};

// Writes the bundle (replacing out_zip atomically). The case folders are loaded with the shipped cases
// first, so a malformed file or a duplicate case name is an error now, not on Gradescope. Returns 0, or
// 2 after writing the reason to `err`.
int make_gradescope_bundle(const BundleOptions& options, std::ostream& err);

// The same for the celab checkout this program belongs to (CELAB_ROOT, or above the executable).
int make_gradescope_bundle(const std::filesystem::path& out_zip, const std::vector<std::filesystem::path>& case_dirs,
                           std::ostream& err);

// The files of the checkout that go into the bundle, relative to `source_root`, sorted: the build
// (CMakeLists.txt, CMakePresets.json, cmake/, grader/, include/, course/), the exercises, the solutions,
// scripts/, grade, course.json and the hint pages (docs/exercises/). Build trees (folders holding a
// CMakeCache.txt), hidden files and folders, and symbolic links are left out.
std::vector<std::filesystem::path> bundled_files(const std::filesystem::path& source_root);

}  // namespace celab::course
