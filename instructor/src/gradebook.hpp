// grades.csv: one row per student (RFC 4180: comma-separated, CRLF line ends, a field quoted when
// it holds a comma, a double quote, CR or LF, its double quotes doubled).
//   student, <one column per exercise graded: points>, total, max, status, reason
#pragma once

#include "batch.hpp"

#include <string>
#include <string_view>

namespace celab::course {

// One CSV field, quoted when RFC 4180 requires it.
std::string csv_field(std::string_view text);

// The whole file. Student names are shown as reports::detail::printable makes them (bytes that are
// not UTF-8, and control characters, as \xHH).
std::string gradebook_csv(const BatchResult& batch);

// Points as the gradebook writes them: "41", "12.5", "0.25" (no exponent, at most 4 decimals).
std::string points_text(double points);

}  // namespace celab::course
