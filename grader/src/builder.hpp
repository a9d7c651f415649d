// The submission builder: compiles a submission folder (softmax.cpp, loss.cpp, gradient.cpp) into a
// loadable submission library without CMake, with an object cache so that after editing one file
// only that file recompiles.
//
// A file that is missing or does not compile is replaced by grader/abi/fallback.cpp (its functions
// throw "celab::NAME is unavailable: FILE.cpp did not compile"), so the other files can still be
// graded. Compilers run as child processes (fork/exec with an argv, never a shell), in parallel.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace celab::grader::builder {

struct Config {
    std::filesystem::path compiler;          // e.g. /usr/bin/c++
    std::vector<std::string> compile_flags;  // everything but -c SRC -o OBJ (and the precompiled header)
    std::vector<std::string> link_flags;     // added after -shared -Wl,-Bsymbolic -Wl,--no-undefined
    std::filesystem::path cache_dir;         // objects, libraries and the precompiled header
    std::filesystem::path source_root;       // the celab checkout: include/, grader/abi/
    bool precompiled_header = true;          // -include a PCH of <Eigen/Core> + exercises.hpp
    // Eigen's checks on (grader/abi/checked_access.hpp: eigen_assert throws celab::abi::EigenCheckFailed)
    // and -D_GLIBCXX_ASSERTIONS, so that an index out of range is a verdict, not a silent read.
    bool runtime_checks = true;
    // Compile the three files as one translation unit first (Eigen's templates are instantiated once,
    // not three times: about 40 % less compile time for a submission none of whose files is cached).
    // Used by ./course grade and the Gradescope autograder; when the unit does not compile or link (a
    // helper defined in two files, a compile error), the files are compiled one by one as always.
    bool single_unit = false;
};

// The compiler CMake used, -std=c++17 -O2 -fPIC -DNDEBUG -I<root>/include -I<root>/grader/abi
// -isystem <eigen> -fdiagnostics-color=never, the warnings a student should see (-Wall -Wextra
// -Wno-unused-parameter -Wfloat-conversion: unused variables, sign compare, narrowing and
// double-to-int conversions; stubs do not use their parameters) plus this build's CMAKE_CXX_FLAGS (link flags:
// CMAKE_MODULE_LINKER_FLAGS), so that a sanitizer build compiles submissions with the same sanitizers
// (required: Eigen allocates differently under ASan and matrices cross the library boundary); the
// source tree of this build and a cache in <build dir>/submissions.
Config default_config();

struct FileBuild {
    std::string file;  // "softmax" | "loss" | "gradient"
    bool ok = false;   // the submission's own file compiled (false: the fallback took its place)
    bool cached = false;       // its object came from the cache (ok files only)
    std::string diagnostics;   // compiler output (warnings too); "missing file DIR/x.cpp" when absent
    std::filesystem::path log; // the full compiler output, in the cache (empty when there was none)
    std::string summary;       // when !ok: the first error, readable (compiler_output::summarise_errors)
    std::string warnings;      // when ok: the warnings of this file (compiler_output::summarise_warnings)
};

struct Result {
    std::filesystem::path library;  // empty when linking failed
    std::vector<FileBuild> files;   // softmax, loss, gradient, in that order
    std::string link_diagnostics;   // linker output, or why there is no library
    double seconds = 0.0;
};

// The exercise files a submission consists of, in build order.
inline const char* const exercise_files[] = {"softmax", "loss", "gradient"};

// Builds `submission_dir` (never throws for anything the submission contains; throws
// std::runtime_error only when the cache directory cannot be created).
Result build(const std::filesystem::path& submission_dir, const Config& config);

}  // namespace celab::grader::builder
