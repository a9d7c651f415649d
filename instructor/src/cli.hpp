// ./course: the instructor's commands, one subcommand each (grade, gradescope, release).
#pragma once

#include <iosfwd>

namespace celab::course::cli {

// Runs `./course ARGS` (argv[0] is the program, argv[1] the subcommand). `terminal`: stderr is a
// terminal (progress rewrites one line). Exit status: 0 the command ran (students may have failed),
// 2 bad usage, an unreadable submissions folder, bad case files or an unwritable output folder.
int run(int argc, const char* const argv[], std::ostream& out, std::ostream& err, bool terminal = false);

}  // namespace celab::course::cli
