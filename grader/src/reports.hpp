// The grader's report formats and atomic file output.
//
//   text        for students: grouped by exercise, one line per check, details of the first
//               failing case, progress, score and seed (report_text.cpp)
//   json        one machine-readable document, one entry per row (report_json.cpp)
//   junit       JUnit XML for CI dashboards, one testsuite per exercise (report_junit.cpp)
//   gradescope  Gradescope autograder results.json (report_gradescope.cpp)
//   gcc         compiler-style lines "FILE:LINE:COL: error: EXERCISE: CHECK: message" at the
//               exercise's definition, for editors' error lists (report_gcc.cpp)
//   html        one self-contained page with progress, the table of checks and plots of
//               expected against got (report_html.cpp)
//
// Hidden cases: no format ever prints the message or diagnosis of a withheld row (a hidden case in a
// student's report, CheckResult::withheld); text shows only its verdict, json/gradescope keep its
// status and points. In the instructor's view (./grade --instructor, --validate) nothing is withheld,
// except in the gradescope format, which students read.
#pragma once

#include "model.hpp"

#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

namespace celab::grader::reports {

struct TextOptions {
    bool colour = false;   // ANSI colours (green pass, red failure, yellow not_implemented/skipped)
    bool verbose = false;  // list every case; otherwise one line per check
};

// True when output to `fd` should be coloured: it is a terminal, NO_COLOR is unset or empty and
// TERM is not "dumb".
bool colour_wanted(int fd);

void write_text(std::ostream& out, const Report& report, const TextOptions& options);
void write_json(std::ostream& out, const Report& report);
void write_junit(std::ostream& out, const Report& report);
void write_gradescope(std::ostream& out, const Report& report);
void write_gcc(std::ostream& out, const Report& report);
void write_html(std::ostream& out, const Report& report);

// The report formats render() accepts, in the order --help lists them.
inline const char* const formats[] = {"text", "json", "junit", "gradescope", "gcc", "html"};

// The report in `format` (one of `formats`); `options` applies to text.
// Throws std::invalid_argument naming the format and the accepted ones for anything else.
std::string render(const Report& report, const std::string& format, const TextOptions& options);

// Replaces `file` with `content` atomically: writes FILE.tmp.<pid> in the same folder, fsyncs it
// and renames it over `file`. On failure throws std::runtime_error naming the file and the
// system's reason, and leaves no temporary file behind.
void write_atomically(const std::filesystem::path& file, const std::string& content);

// ---- shared by the writers ----------------------------------------------------------------
namespace detail {

// `text` as valid UTF-8 with nothing a terminal or an XML 1.0 document would choke on: bytes
// that are not valid UTF-8, control characters (except '\n' and '\t'; "\r\n" becomes "\n"), C1
// controls and U+FFFE/U+FFFF are written as "\xHH" per byte.
std::string printable(std::string_view text);

// The text shown for a row's status, e.g. "wrong result", "crashed", "timed out".
const char* status_phrase(Status status);

// "exercises/softmax.cpp": the file the student edits for `exercise` in `report`'s submission.
std::string student_file(const Report& report, Exercise exercise);

// The captured student output / compiler output of `exercise`, or "" when there is none.
const std::string& student_output(const Report& report, Exercise exercise);
const std::string& build_errors(const Report& report, Exercise exercise);
const std::string& build_warnings(const Report& report, Exercise exercise);

// The text report's line shaping: numbers with more than six significant digits shortened to the
// fewest (at least six) that still tell the line's numbers apart, then a line longer than `width`
// characters elided in the middle (" … ").
std::string shorten_numbers(const std::string& line);
std::string fit_line(const std::string& line, std::size_t width = 200);

// Points with one decimal ("41.0"), or two when one would round them ("0.25").
std::string format_points(double points);
// A total of points for a machine-readable report: rounded to 9 decimals, so that a sum of row shares reads 5,
// not 4.9999999999999964.
double tidy_points(double points);

// Where function `name` is defined in the C++ file `file`: 1-based line and column of its name, or
// {1, 1} when the file cannot be read or holds no definition of it (comments and calls are skipped).
std::pair<int, int> definition_position(const std::filesystem::path& file, const std::string& name);

// The folder of the files graded in `report`, for reading them ("" for a --library report).
std::filesystem::path submission_folder(const Report& report);

}  // namespace detail
}  // namespace celab::grader::reports
