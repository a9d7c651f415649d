// Opens a compiled submission library and returns its table of functions.
#pragma once

#include "submission_abi.hpp"

#include <filesystem>

namespace celab::grader {

// dlopen(RTLD_NOW | RTLD_LOCAL) + dlsym(abi::entry_symbol) + a version check. Throws
// std::runtime_error naming the library and what went wrong (dlerror()'s text when the loader
// failed). The library stays loaded for the life of the process.
// Untrusted code runs as soon as the library is opened (static constructors): call this only inside
// a sandbox child (sandbox::run), never in the grader's own process.
const abi::SubmissionTable& load_submission(const std::filesystem::path& library);

}  // namespace celab::grader
