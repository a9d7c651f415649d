// The hint pages (docs/exercises/*.md) as plain text for a terminal (./grade --hint NAME): no code
// fences, no backticks or bold markers, and the $...$ maths in readable ASCII: z_i, log, (a)/(b), sum_j,
// <=, inf.
#pragma once

#include <string>

namespace celab::grader::hint_text {

// One $...$ formula (without the dollars) as plain text:
//   \frac{a}{b} -> (a)/(b), e^{z_i} -> e^(z_i), y_{n,i} -> y_(n,i), \mathrm{LSE} -> LSE, \log -> log,
//   \sum_j -> sum_j, \le -> <=, \ge -> >=, \ne -> !=, \infty -> inf, \cdot -> *, \times -> x,
//   \langle a, b \rangle -> <a, b>, \partial -> d, \varepsilon -> eps; any other \name -> name.
std::string math(const std::string& tex);

// A Markdown section as plain text: fences dropped (their contents indented by four spaces and kept as
// they are), `code` and **bold** markers dropped, [text](link) -> text (link), $maths$ via math().
std::string plain(const std::string& markdown);

}  // namespace celab::grader::hint_text
