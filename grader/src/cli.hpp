// The command line of ./grade: parses options and runs the grader. Exit status: 0 when every
// check passes, 1 when any fails, 2 for usage errors, case-file errors and failed validation.
#pragma once

#include <iosfwd>

namespace celab::grader::cli {

int run(int argc, const char* const argv[], std::ostream& out, std::ostream& err);

}  // namespace celab::grader::cli
