// The text report: what students read most, so it is compact and scannable.
//
//   ✓ softmax                    10.0/10.0  all 7 checks pass, mastery 5.0/5.0
//   ✗ cross_entropy_grad          2.0/10.0
//     ✗ mastery  0.0/5.0  earned only when every check of every case passes
//     ✓ shape              19/19 cases
//     ✗ analytic            1/19 cases
//         case "uniform" (logits [0, 0, 0], target 1): worst entry at index 1: expected -0.67, got 0.67
//         Likely mistake: flipped the sign: the gradient is p - y, not y - p.
//         (and 17 more failing cases)
//     Compiler warnings for exercises/gradient.cpp:
//         │ gradient.cpp:12:10: warning: unused variable ‘m’ [-Wunused-variable]
//         │    12 |   double m = logits.maxCoeff();
//     Output printed by your code (cross_entropy_grad):
//         │ case "uniform":
//         │ debug: z = 1 2 3
//   ○ log_sum_exp                 0.0/10.0  not implemented yet — edit exercises/softmax.cpp
//
//   Exercises complete: 1/3
//   Score: 12.0/30.0
//   seed 1234 (rerun with --seed 1234)
//
// The mastery line shows the exercise's mastery share (model.hpp, Scoring; absent under "per_check").
// Complete, not_implemented and non-compiling exercises take one line (plus compiler and student
// output) unless verbose; verbose lists every case of every check.
// Hidden rows show their verdict only: never their message or diagnosis.
// Each distinct failure of a check (another status, diagnosis or hint) is shown once; a likely mistake,
// hint or message once per exercise; numbers keep about six significant digits (more only where they
// tell two numbers of the line apart) and no line runs past about 200 characters (elided in the middle).
#include "reports.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <ostream>
#include <set>
#include <sstream>
#include <vector>

namespace celab::grader::reports {

// ---- shared helpers -------------------------------------------------------------------------
namespace detail {

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const auto hex = [&out](unsigned char byte) {
        static const char digits[] = "0123456789abcdef";
        out += "\\x";
        out += digits[byte >> 4];
        out += digits[byte & 0x0f];
    };
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            if (lead == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;  // "\r\n" -> "\n"
                continue;
            }
            const bool control = (lead < 0x20 && lead != '\n' && lead != '\t') || lead == 0x7f;
            if (control) hex(lead);
            else out += static_cast<char>(lead);
            ++i;
            continue;
        }
        // A multi-byte sequence: the lead byte gives its length and the smallest code point it
        // may encode (anything smaller is an overlong encoding).
        std::size_t length = 0;
        std::uint32_t code = 0;
        std::uint32_t smallest = 0;
        if ((lead & 0xe0) == 0xc0) {
            length = 2, code = lead & 0x1f, smallest = 0x80;
        } else if ((lead & 0xf0) == 0xe0) {
            length = 3, code = lead & 0x0f, smallest = 0x800;
        } else if ((lead & 0xf8) == 0xf0) {
            length = 4, code = lead & 0x07, smallest = 0x10000;
        }
        bool valid = length != 0 && i + length <= text.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            valid = (next & 0xc0) == 0x80;
            code = (code << 6) | (next & 0x3f);
        }
        valid = valid && code >= smallest && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
        if (!valid) {
            hex(lead);  // this byte only; the next one may start a valid sequence
            ++i;
            continue;
        }
        const bool unwanted = (code >= 0x80 && code <= 0x9f) || code == 0xfffe || code == 0xffff;
        for (std::size_t k = 0; k < length; ++k) {
            if (unwanted) hex(static_cast<unsigned char>(text[i + k]));
            else out += text[i + k];
        }
        i += length;
    }
    return out;
}

const char* status_phrase(Status status) {
    switch (status) {
        case Status::pass: return "passed";
        case Status::fail: return "wrong result";
        case Status::error: return "error";
        case Status::crash: return "crashed";
        case Status::timeout: return "timed out";
        case Status::not_implemented: return "not implemented yet";
        case Status::skipped: return "skipped";
        case Status::out_of_range: return "out-of-range access";
    }
    return "unknown";
}

std::string student_file(const Report& report, Exercise exercise) {
    std::filesystem::path folder = report.submission.empty() ? "exercises" : report.submission;
    if (folder.extension() == ".so") return std::string(source_file(exercise)) + ".cpp";  // graded with --library
    // "exercises/softmax.cpp" reads better than "/home/me/celab/exercises/softmax.cpp".
    std::error_code no_cwd;
    const std::filesystem::path cwd = std::filesystem::current_path(no_cwd);
    if (!no_cwd && folder.is_absolute()) {
        const std::filesystem::path relative = folder.lexically_relative(cwd);
        if (!relative.empty() && *relative.begin() != "..") folder = relative;
    }
    return (folder / (std::string(source_file(exercise)) + ".cpp")).generic_string();
}

namespace {
const std::string& lookup(const std::vector<std::pair<Exercise, std::string>>& texts, Exercise exercise) {
    static const std::string none;
    for (const auto& [e, text] : texts) {
        if (e == exercise) return text;
    }
    return none;
}
}  // namespace

const std::string& student_output(const Report& report, Exercise exercise) {
    return lookup(report.student_output, exercise);
}

const std::string& build_errors(const Report& report, Exercise exercise) {
    return lookup(report.build_errors, exercise);
}

const std::string& build_warnings(const Report& report, Exercise exercise) {
    return lookup(report.build_warnings, exercise);
}

namespace {
bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '#' || c == '.'; }

struct NumberToken {
    std::size_t begin, end;
    double value;
    int digits;  // significant digits as written
};

// Decimal numbers with a point or an exponent, standing alone (not part of a name or a version).
std::vector<NumberToken> number_tokens(const std::string& line) {
    std::vector<NumberToken> tokens;
    const auto digit = [&](std::size_t k) { return k < line.size() && std::isdigit(static_cast<unsigned char>(line[k])); };
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (i > 0 && (word_char(line[i - 1]) || line[i - 1] == '-' || line[i - 1] == '+')) continue;
        std::size_t k = i;
        if (line[k] == '-' || line[k] == '+') ++k;
        if (!digit(k)) continue;
        int digits = 0;
        bool leading = true, point = false, exponent = false;
        for (; k < line.size(); ++k) {
            if (digit(k)) {
                if (line[k] != '0' || !leading) {
                    ++digits;
                    leading = false;
                } else if (!leading) {
                    ++digits;
                }
            } else if (line[k] == '.' && !point && digit(k + 1)) {
                point = true;
            } else {
                break;
            }
        }
        if ((k < line.size() && (line[k] == 'e' || line[k] == 'E')) &&
            (digit(k + 1) || ((line[k + 1] == '-' || line[k + 1] == '+') && digit(k + 2)))) {
            exponent = true;
            k += 2;
            while (digit(k)) ++k;
        }
        if (k < line.size() && word_char(line[k])) {  // "1.2.3", "3abc": not a number of ours
            while (k < line.size() && word_char(line[k])) ++k;
            i = k;
            continue;
        }
        if (point || exponent) tokens.push_back({i, k, std::strtod(line.c_str() + i, nullptr), digits});
        i = k > i ? k - 1 : i;
    }
    return tokens;
}

std::string with_precision(double x, int precision) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, x);
    return buffer;
}
}  // namespace

std::string shorten_numbers(const std::string& line) {
    const std::vector<NumberToken> tokens = number_tokens(line);
    if (std::none_of(tokens.begin(), tokens.end(), [](const NumberToken& t) { return t.digits > 6; })) return line;
    // The fewest digits (at least 6) at which numbers that differ still read differently.
    int precision = 6;
    for (; precision < 17; ++precision) {
        bool distinct = true;
        for (std::size_t a = 0; a < tokens.size() && distinct; ++a) {
            for (std::size_t b = a + 1; b < tokens.size() && distinct; ++b) {
                if (tokens[a].value != tokens[b].value &&
                    with_precision(tokens[a].value, precision) == with_precision(tokens[b].value, precision))
                    distinct = false;
            }
        }
        if (distinct) break;
    }
    std::string out;
    std::size_t at = 0;
    for (const NumberToken& t : tokens) {
        out += line.substr(at, t.begin - at);
        out += t.digits > precision ? with_precision(t.value, precision) : line.substr(t.begin, t.end - t.begin);
        at = t.end;
    }
    return out + line.substr(at);
}

std::string fit_line(const std::string& line, std::size_t width) {
    std::vector<std::size_t> starts;  // byte offset of each code point
    for (std::size_t i = 0; i < line.size(); ++i)
        if ((static_cast<unsigned char>(line[i]) & 0xc0) != 0x80) starts.push_back(i);
    if (starts.size() <= width) return line;
    const std::size_t head = width * 6 / 10, tail = width * 3 / 10;
    const std::size_t elided = starts.size() - head - tail;
    return line.substr(0, starts[head]) + " … (" + std::to_string(elided) + " characters) … " +
           line.substr(starts[starts.size() - tail]);
}

double tidy_points(double points) { return std::round(points * 1e9) / 1e9; }

std::string format_points(double points) {
    const double tenths = points * 10.0;
    const bool one_decimal = std::abs(tenths - std::round(tenths)) < 1e-9 * std::max(1.0, std::abs(tenths));
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, one_decimal ? "%.1f" : "%.2f", points);
    return buffer;
}

}  // namespace detail

// ---- the text report ------------------------------------------------------------------------
namespace {

using detail::printable;
using detail::status_phrase;

constexpr const char* green = "\x1b[32m";
constexpr const char* red = "\x1b[31m";
constexpr const char* yellow = "\x1b[33m";
constexpr const char* bold = "\x1b[1m";
constexpr const char* reset = "\x1b[0m";

// Non-verbose output shows at most this many lines of student or compiler output per exercise.
constexpr std::size_t max_block_lines = 30;

// Something went wrong in this row (skipped rows only wait for another check).
bool is_failure(Status s) { return s != Status::pass && s != Status::skipped; }

struct CheckGroup {
    std::string check;
    std::vector<const CheckResult*> rows;

    std::size_t count(Status s) const {
        return static_cast<std::size_t>(
            std::count_if(rows.begin(), rows.end(), [s](const CheckResult* r) { return r->status == s; }));
    }
    bool all(Status s) const { return count(s) == rows.size(); }
};

// The rows of one exercise grouped by check: known checks in the order they run, then any other
// check in order of first appearance.
std::vector<CheckGroup> group_by_check(const std::vector<const CheckResult*>& rows, Exercise exercise) {
    std::vector<CheckGroup> groups;
    for (const std::string& check : check_names(exercise)) groups.push_back({check, {}});
    for (const CheckResult* row : rows) {
        auto it = std::find_if(groups.begin(), groups.end(), [&](const CheckGroup& g) { return g.check == row->check; });
        if (it == groups.end()) {
            groups.push_back({row->check, {}});
            it = groups.end() - 1;
        }
        it->rows.push_back(row);
    }
    groups.erase(std::remove_if(groups.begin(), groups.end(), [](const CheckGroup& g) { return g.rows.empty(); }),
                 groups.end());
    return groups;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// "Likely mistake: ..." whether or not the grader's diagnosis already starts that way.
std::string likely_mistake(const std::string& diagnosis) {
    const std::string prefix = "Likely mistake";
    if (diagnosis.compare(0, prefix.size(), prefix) == 0) return diagnosis;
    return prefix + ": " + diagnosis;
}

// How a non-passing group of rows reads after its case count, e.g. "1 crashed, 2 skipped".
std::string tally(const CheckGroup& group) {
    static const std::pair<Status, const char*> words[] = {
        {Status::fail, "wrong"},        {Status::error, "raised an error"},
        {Status::crash, "crashed"},     {Status::timeout, "timed out"}, {Status::out_of_range, "out-of-range access"},
        {Status::not_implemented, "not implemented"}, {Status::skipped, "skipped"},
    };
    std::string out;
    for (const auto& [status, word] : words) {
        const std::size_t n = group.count(status);
        if (n == 0) continue;
        if (!out.empty()) out += ", ";
        out += std::to_string(n) + " " + word;
    }
    return out;
}

class TextWriter {
public:
    TextWriter(std::ostream& out, const Report& report, const TextOptions& options)
        : out_(out), report_(report), options_(options) {}

    void write() {
        if (!report_.submission.empty()) out_ << paint("celab results for " + printable(report_.submission), bold) << "\n";
        std::size_t exercises = 0;
        std::size_t complete = 0;
        for (Exercise exercise : all_exercises()) {
            std::vector<const CheckResult*> rows;
            for (const CheckResult& row : report_.checks) {
                if (row.exercise == exercise) rows.push_back(&row);
            }
            const bool has_extras = !detail::student_output(report_, exercise).empty() ||
                                    !detail::build_errors(report_, exercise).empty() ||
                                    !detail::build_warnings(report_, exercise).empty();
            if (rows.empty() && !has_extras) continue;
            ++exercises;
            const bool passed = !rows.empty() && std::all_of(rows.begin(), rows.end(), [](const CheckResult* r) {
                return r->status == Status::pass;
            });
            if (passed) ++complete;
            write_exercise(exercise, rows, passed);
        }
        out_ << "\n";
        const std::string progress = "Exercises complete: " + std::to_string(complete) + "/" + std::to_string(exercises);
        out_ << (complete == exercises && exercises > 0 ? paint(progress, green) : progress) << "\n";
        const std::string score =
            "Score: " + detail::format_points(report_.score()) + "/" + detail::format_points(report_.max_score());
        out_ << paint(score, bold) << "\n";
        out_ << "seed " << report_.seed << " (rerun with --seed " << report_.seed << ")\n";
        if (!report_.note.empty()) out_ << printable(report_.note) << "\n";
        if (report_.instructor_view)
            out_ << "Instructor's view: hidden cases are shown in full (never give this report to a student).\n";
    }

private:
    std::string paint(const std::string& text, const char* code) const {
        return options_.colour ? code + text + reset : text;
    }

    void write_exercise(Exercise exercise, const std::vector<const CheckResult*>& rows, bool passed) {
        double points = 0.0;
        double max_points = 0.0;
        double mastery = 0.0;
        double mastery_max = 0.0;
        for (const CheckResult* row : rows) {
            points += row->points;
            max_points += row->max_points;
            mastery += row->mastery_points;
            mastery_max += row->mastery_max_points;
        }
        const bool not_implemented = !rows.empty() && std::all_of(rows.begin(), rows.end(), [](const CheckResult* r) {
            return r->status == Status::not_implemented;
        });
        const std::string& compiler = detail::build_errors(report_, exercise);
        const bool none_passed = std::none_of(rows.begin(), rows.end(), [](const CheckResult* r) {
            return r->status == Status::pass;
        });
        const bool does_not_compile = !compiler.empty() && none_passed;

        // Heading: verdict mark, name, points and, when the whole exercise is in one state, why.
        std::string mark = passed ? paint("✓", green) : not_implemented ? paint("○", yellow) : paint("✗", red);
        std::ostringstream heading;
        heading << std::left << std::setw(26) << name(exercise) << std::right << std::setw(12)
                << (detail::format_points(points) + "/" + detail::format_points(max_points));
        out_ << mark << " " << paint(heading.str(), bold);
        if (does_not_compile) {
            out_ << "  " << paint("does not compile — fix " + detail::student_file(report_, exercise), red);
        } else if (not_implemented) {
            out_ << "  " << paint("not implemented yet — edit " + detail::student_file(report_, exercise), yellow);
        }
        if (passed && !options_.verbose) {
            const std::size_t checks = group_by_check(rows, exercise).size();
            std::string all = checks == 1 ? "its check passes" : "all " + std::to_string(checks) + " checks pass";
            if (mastery_max > 0.0) all += ", mastery " + detail::format_points(mastery) + "/" + detail::format_points(mastery_max);
            out_ << "  " << paint(all, green);
        }
        out_ << "\n";

        // Nothing to learn check by check: complete, not_implemented, or not compiling.
        const bool collapsed = !options_.verbose && (passed || does_not_compile || not_implemented);
        if (!collapsed && mastery_max > 0.0) {
            // The mastery share (Scoring::mastery): part of the exercise's points, not of any one check.
            out_ << "  " << (passed ? paint("✓", green) : paint("✗", red)) << " mastery  "
                 << detail::format_points(mastery) << "/" << detail::format_points(mastery_max) << "  "
                 << (passed ? "every check of every case passes"
                            : "earned only when every check of every case passes")
                 << "\n";
        }
        if (!collapsed) write_checks(exercise, rows);

        if (!compiler.empty()) {
            // Once per file: the exercises of one file share its compiler output.
            const std::string file = detail::student_file(report_, exercise);
            if (compiler_shown_.insert(file).second) {
                out_ << "  Compiler output for " << file << ":\n";
                write_block(compiler);
            } else {
                out_ << "  (compiler output for " << file << " above)\n";
            }
        }
        const std::string& warnings = detail::build_warnings(report_, exercise);
        if (!warnings.empty() && warnings_shown_.insert(detail::student_file(report_, exercise)).second) {
            out_ << "  Compiler warnings for " << detail::student_file(report_, exercise) << ":\n";
            write_block(warnings);
        }
        const std::string& output = detail::student_output(report_, exercise);
        if (!output.empty()) {
            out_ << "  Output printed by your code (" << name(exercise) << "):\n";
            write_block(output);
        }
    }

    void write_checks(Exercise exercise, const std::vector<const CheckResult*>& rows) {
        const std::vector<CheckGroup> groups = group_by_check(rows, exercise);
        std::size_t name_width = 0;
        std::size_t count_width = 0;
        for (const CheckGroup& g : groups) {
            name_width = std::max(name_width, g.check.size());
            count_width = std::max(count_width, count_text(g).size());
        }
        for (const CheckGroup& g : groups) {
            const std::size_t passed = g.count(Status::pass);
            std::string mark;
            std::string note;
            if (passed == g.rows.size()) {
                mark = paint("✓", green);
            } else if (g.all(Status::not_implemented)) {
                mark = paint("○", yellow);
                note = paint("not implemented yet — edit " + detail::student_file(report_, exercise), yellow);
            } else if (g.count(Status::skipped) + passed == g.rows.size()) {
                mark = paint("-", yellow);
                note = paint("skipped" + skip_reason(g), yellow);
            } else {
                mark = paint("✗", red);
                // The case count says how many were wrong; name the other outcomes.
                if (g.count(Status::fail) + passed != g.rows.size()) note = tally(g);
            }
            std::ostringstream line;
            line << "  " << mark << " " << std::left << std::setw(static_cast<int>(name_width)) << g.check << "  "
                 << std::right << std::setw(static_cast<int>(count_width)) << count_text(g) << " cases";
            if (!note.empty()) line << "  " << note;
            out_ << line.str() << "\n";

            if (options_.verbose) {
                for (const CheckResult* row : g.rows) write_case(*row);
            } else if (passed != g.rows.size() && !g.all(Status::not_implemented)) {
                write_first_failure(g);
            }
        }
    }

    static std::string count_text(const CheckGroup& g) {
        return std::to_string(g.count(Status::pass)) + "/" + std::to_string(g.rows.size());
    }

    // " (<why>)" from the first visible skipped row that says why, or "" (the message's own "skipped: "
    // is not repeated).
    static std::string skip_reason(const CheckGroup& g) {
        for (const CheckResult* row : g.rows) {
            if (row->status == Status::skipped && !row->withheld() && !row->message.empty()) {
                std::string why = first_line(row->message);
                const std::string prefix = "skipped: ";
                if (why.compare(0, prefix.size(), prefix) == 0) why.erase(0, prefix.size());
                return " (" + printable(why) + ")";
            }
        }
        return "";
    }

    // The details of the first failing visible case of each distinct failure (another status,
    // diagnosis or hint), at most max_distinct of them; hidden ones show only their verdict, and only
    // when no visible case fails.
    void write_first_failure(const CheckGroup& g) {
        constexpr std::size_t max_distinct = 4;
        std::vector<const CheckResult*> failures;
        for (const CheckResult* row : g.rows) {
            if (is_failure(row->status) && row->status != Status::not_implemented) failures.push_back(row);
        }
        if (failures.empty()) return;
        std::vector<const CheckResult*> shown;
        for (const CheckResult* row : failures) {
            if (row->withheld() || shown.size() == max_distinct) continue;
            const bool seen = std::any_of(shown.begin(), shown.end(), [&](const CheckResult* s) {
                return s->status == row->status && s->diagnosis == row->diagnosis && s->hint == row->hint;
            });
            if (!seen) shown.push_back(row);
        }
        if (shown.empty()) shown.push_back(failures.front());
        for (const CheckResult* row : shown) write_details(*row, "      ");
        const std::size_t more = failures.size() - shown.size();
        if (more > 0) out_ << "      (and " << more << " more failing case" << (more > 1 ? "s" : "") << ")\n";
    }

    // One line per case (verbose), with the details of failing visible cases under it.
    void write_case(const CheckResult& row) {
        const std::string mark = row.status == Status::pass ? paint("✓", green)
                                 : row.status == Status::skipped || row.status == Status::not_implemented
                                     ? paint("-", yellow)
                                     : paint("✗", red);
        out_ << "      " << mark << " " << printable(row.case_name)
             << (row.visibility == Visibility::hidden ? " (hidden)" : "");
        if (row.status != Status::pass) out_ << "  " << status_phrase(row.status);
        out_ << "\n";
        if (is_failure(row.status) && row.status != Status::not_implemented && !row.withheld()) {
            write_message(row, "          ");
        }
    }

    void write_details(const CheckResult& row, const std::string& indent) {
        if (row.withheld()) {
            out_ << indent << "hidden case: " << status_phrase(row.status)
                 << " (the details of hidden cases are not shown)\n";
            return;
        }
        // The same message under another check of the exercise: said once.
        if (!row.message.empty() && !said_.insert(name(row.exercise) + std::string("\nmessage\n") + row.message).second) {
            out_ << indent << "case \"" << printable(row.case_name) << "\": " << status_phrase(row.status)
                 << ", as above\n";
            return;
        }
        // Name the case unless the grader's message already does, and the status unless it does.
        const bool names_case = !row.case_name.empty() && row.message.find(row.case_name) != std::string::npos;
        const bool names_status = row.message.find(status_phrase(row.status)) != std::string::npos;
        std::string lead = names_case ? "" : "case \"" + printable(row.case_name) + "\"";
        if (row.status != Status::fail && !names_status)
            lead += (lead.empty() ? "(" : " (") + std::string(status_phrase(row.status)) + ")";
        if (row.message.empty()) lead += "\n";
        else if (!lead.empty()) lead += ": ";
        out_ << indent << lead;
        write_message(row, indent, /*continue_line=*/!row.message.empty());
    }

    // The message (continuation lines indented) and the diagnosis of a visible row.
    void write_message(const CheckResult& row, const std::string& indent, bool continue_line = false) {
        if (row.withheld()) return;  // never: withheld (hidden) rows show their verdict only
        const std::vector<std::string> lines = split_lines(printable(row.message));
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (!(i == 0 && continue_line)) out_ << indent << (continue_line ? "  " : "");
            out_ << detail::fit_line(detail::shorten_numbers(lines[i])) << "\n";
        }
        // Once per exercise: the same mistake or hint under every check says nothing new.
        const std::string exercise = name(row.exercise) + std::string("\n");
        if (!row.diagnosis.empty() && said_.insert(exercise + "mistake\n" + row.diagnosis).second)
            out_ << indent << paint(detail::fit_line(printable(likely_mistake(row.diagnosis))), yellow) << "\n";
        if (!row.hint.empty() && said_.insert(exercise + "hint\n" + row.hint).second)
            out_ << indent << detail::fit_line("Hint: " + printable(row.hint)) << "\n";
    }

    // Student or compiler output, set apart by a bar and indented; long blocks are cut unless
    // verbose.
    void write_block(const std::string& text) {
        const std::vector<std::string> lines = split_lines(printable(text));
        const std::size_t shown = options_.verbose ? lines.size() : std::min(lines.size(), max_block_lines);
        for (std::size_t i = 0; i < shown; ++i) out_ << "      │ " << detail::fit_line(lines[i]) << "\n";
        if (shown < lines.size()) out_ << "      │ … " << lines.size() - shown << " more lines not shown\n";
    }

    std::ostream& out_;
    const Report& report_;
    const TextOptions& options_;
    std::set<std::string> compiler_shown_;  // files whose compiler output is already shown
    std::set<std::string> warnings_shown_;  // files whose compiler warnings are already shown
    std::set<std::string> said_;            // "exercise\nmistake|hint\ntext" lines already written
};

}  // namespace

void write_text(std::ostream& out, const Report& report, const TextOptions& options) {
    TextWriter(out, report, options).write();
}

}  // namespace celab::grader::reports
