// Compiler output a student can read: the first error of a file with its line and the offending line
// of code, Eigen's template noise folded, a plain-words note for the classic Eigen mistakes, and the
// warnings of the student's own file (never those of Eigen's headers).
//
// Input is GCC/Clang output (-fdiagnostics-color=never), with either ASCII or Unicode quotes:
//   /path/softmax.cpp:10:12: error: 'class Eigen::Matrix<double, -1, 1>' has no member named 'exp'
//   /usr/include/eigen3/Eigen/src/Core/VectorwiseOp.h:681:7: error: static assertion failed: ...
//   /path/softmax.cpp:5:42:   required from here
#pragma once

#include <string>
#include <vector>

namespace celab::grader::compiler_output {

struct Diagnostic {
    std::string file;      // as the compiler wrote it
    int line = 0;
    int column = 0;
    std::string severity;  // "error", "warning", "note", "fatal error"
    std::string message;
};

// Every "FILE:LINE:COL: SEVERITY: MESSAGE" line of `log`, in order (context lines are not diagnostics).
std::vector<Diagnostic> parse(const std::string& log);

// `message` with Eigen's types folded: Eigen::Matrix<double, -1, 1> -> VectorXd (also RowVectorXd,
// MatrixXd, ArrayXd, ArrayXXd), other template arguments nested deeper than one level shown as <…>,
// and cut to about 200 characters.
std::string fold(const std::string& message);

// The plain-words notes for the classic Eigen mistakes the log shows (mixing Array and Matrix
// operations, broadcasting * or / with rowwise()/colwise() on a matrix, a column vector where a row
// vector is wanted or the other way round), one per mistake, in that order; empty when none matches.
std::vector<std::string> classic_mistakes(const std::string& log);

// What a student reads when `source` (the file the log is about; `text` its contents) did not
// compile: the first error in that file ("softmax.cpp:10:12: error: ...", taken from the "required
// from here" line when the error itself is inside a header), the offending line of code, a note per
// classic mistake, how many more errors there are, and where the full log is (`log_path`, if not
// empty). When the log holds no error in compiler format (a link error, a killed compiler), its first
// lines are kept as they are.
std::string summarise_errors(const std::string& log, const std::string& source, const std::string& text,
                             const std::string& log_path);

// The warnings of `source` itself (first `max_shown`, by line, each with its line of code), and how
// many more there are; "" when it has none.
std::string summarise_warnings(const std::string& log, const std::string& source, const std::string& text,
                               const std::string& log_path, std::size_t max_shown = 5);

}  // namespace celab::grader::compiler_output
