// The command line of ./grade: parses options and runs the grader. Exit status: 0 when every
// check passes, 1 when any fails, 2 for usage errors, case-file errors and failed validation.
#pragma once

#include "model.hpp"

#include <filesystem>
#include <iosfwd>
#include <string>

namespace celab::grader::cli {

int run(int argc, const char* const argv[], std::ostream& out, std::ostream& err);

// What ./grade --hint NAME prints: the "## NAME" section of docs/exercises/FILE.md under `root`, or a
// line in parentheses saying what is missing.
std::string hint_text(const std::filesystem::path& root, Exercise e);

}  // namespace celab::grader::cli
