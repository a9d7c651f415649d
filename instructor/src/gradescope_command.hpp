// ./course gradescope OUT.zip [--cases DIR]... [--hidden MODE]: the Gradescope autograder bundle
// (instructor/gradescope/bundle.hpp). Built only where libzip is (CELAB_COURSE_GRADESCOPE).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace celab::course::cli {

int gradescope_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace celab::course::cli
