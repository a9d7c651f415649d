// The answer book of a student release: every answer its grader will ask for on `cases` (the release's
// visible cases, generated with its seed), computed here with the reference and recorded.
#pragma once

#include "book.hpp"
#include "model.hpp"

#include <string>
#include <vector>

namespace celab::course::release {

grader::answers::Book freeze(const std::vector<grader::Case>& cases, unsigned long long seed, const std::string& made_from);

}  // namespace celab::course::release
