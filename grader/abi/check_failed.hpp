// What a submission throws when one of Eigen's own checks fails (an index out of range, operands of
// different sizes): the builder compiles submissions with checked_access.hpp, which turns
// eigen_assert into a throw of this type, and the grader's invoke() reports it as its own verdict.
#pragma once

#include <stdexcept>
#include <string>

namespace celab::abi {

// what() is the failed condition as Eigen wrote it, e.g. "index >= 0 && index < size()".
struct EigenCheckFailed : std::logic_error {
    using std::logic_error::logic_error;
};

}  // namespace celab::abi
