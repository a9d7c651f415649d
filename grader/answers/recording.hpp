// Recording the computed answers into a book (the instructor's copy only: ./course release freezes
// every answer a student release's grader will ask for).
#pragma once

#include "book.hpp"

namespace celab::grader::answers {

// From now on every answer computed (answers::of, difference_quotient, the exact formulas of
// formulas.hpp) is also put into `book`, until stop_recording(). One recording at a time.
void start_recording(Book& book);
void stop_recording();

}  // namespace celab::grader::answers
