#include "compiler_output.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

namespace celab::grader::compiler_output {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t max_message_chars = 200;
constexpr std::size_t max_code_chars = 160;

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

// "FILE:LINE:COL: REST" -> true, with the parts; FILE may itself hold ':' only before the last
// ":LINE:COL:" pattern that is followed by a space.
bool split_location(const std::string& line, std::string& file, int& row, int& column, std::string& rest) {
    for (std::size_t colon = line.find(':'); colon != std::string::npos; colon = line.find(':', colon + 1)) {
        std::size_t at = colon + 1;
        auto number = [&](int& out) {
            const std::size_t begin = at;
            while (at < line.size() && std::isdigit(static_cast<unsigned char>(line[at]))) ++at;
            if (at == begin || at - begin > 9) return false;
            out = std::stoi(line.substr(begin, at - begin));
            return true;
        };
        if (!number(row) || at >= line.size() || line[at] != ':') continue;
        ++at;
        if (!number(column) || at + 1 >= line.size() || line[at] != ':' || line[at + 1] != ' ') continue;
        file = line.substr(0, colon);
        rest = line.substr(at + 2);
        return !file.empty();
    }
    return false;
}

bool parse_line(const std::string& line, Diagnostic& d) {
    std::string rest;
    if (!split_location(line, d.file, d.line, d.column, rest)) return false;
    for (const char* severity : {"fatal error", "error", "warning", "note"}) {
        const std::string prefix = std::string(severity) + ": ";
        if (rest.compare(0, prefix.size(), prefix) == 0) {
            d.severity = severity;
            d.message = rest.substr(prefix.size());
            return true;
        }
    }
    return false;
}

bool same_file(const std::string& a, const std::string& b) {
    if (a == b) return true;
    const fs::path pa = fs::path(a).lexically_normal(), pb = fs::path(b).lexically_normal();
    if (pa == pb) return true;
    std::error_code ec;
    return fs::equivalent(pa, pb, ec) && !ec;
}

std::string file_name(const std::string& source) { return fs::path(source).filename().string(); }

// "   10 |     return logits.exp();" for line `row` of `text`, or "" when there is no such line.
std::string code_line(const std::string& text, int row) {
    if (row <= 0) return "";
    std::size_t begin = 0;
    for (int k = 1; k < row; ++k) {
        begin = text.find('\n', begin);
        if (begin == std::string::npos) return "";
        ++begin;
    }
    std::string line = text.substr(begin, text.find('\n', begin) - begin);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) return "";
    if (line.size() > max_code_chars) line = line.substr(0, max_code_chars) + " …";
    std::string number = std::to_string(row);
    if (number.size() < 5) number.insert(0, 5 - number.size(), ' ');
    return number + " | " + line;
}

// `text` in lines of at most about 100 characters, continuation lines indented by `indent`.
std::string wrap(const std::string& text, const std::string& indent) {
    constexpr std::size_t width = 100;
    std::string out, line;
    std::istringstream words(text);
    for (std::string word; words >> word;) {
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            out += line + "\n";
            line = indent;
        }
        line += (line.empty() || line == indent ? "" : " ") + word;
    }
    return out + line + "\n";
}

std::string log_note(const std::string& log_path) {
    return log_path.empty() ? std::string() : "the full compiler log: " + log_path;
}

}  // namespace

std::vector<Diagnostic> parse(const std::string& log) {
    std::vector<Diagnostic> out;
    for (const std::string& line : split_lines(log)) {
        Diagnostic d;
        if (parse_line(line, d)) out.push_back(std::move(d));
    }
    return out;
}

std::string fold(const std::string& message) {
    std::string text = message;
    // " {aka 'Eigen::Matrix<double, -1, 1>'}": the spelled-out type says the same thing again.
    for (std::size_t at = text.find(" {aka "); at != std::string::npos; at = text.find(" {aka ", at)) {
        int depth = 0;
        std::size_t end = at + 1;
        for (; end < text.size(); ++end) {
            if (text[end] == '{') ++depth;
            else if (text[end] == '}' && --depth == 0) break;
        }
        text.erase(at, end + 1 - at);
    }
    static const std::pair<const char*, const char*> names[] = {
        {"Eigen::Matrix<double, -1, 1>", "VectorXd"},   {"Eigen::Matrix<double, 1, -1>", "RowVectorXd"},
        {"Eigen::Matrix<double, -1, -1>", "MatrixXd"},  {"Eigen::Array<double, -1, 1>", "ArrayXd"},
        {"Eigen::Array<double, 1, -1>", "RowArrayXd"},  {"Eigen::Array<double, -1, -1>", "ArrayXXd"},
        {"Eigen::internal::", ""},                      {"Eigen::", ""},
    };
    for (const auto& [from, to] : names) replace_all(text, from, to);
    // Template arguments nested deeper than one level: <…>.
    std::string out;
    int depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool after_operator = i >= 8 && text.compare(i - 8, 8, "operator") == 0;
        if (after_operator && (c == '<' || c == '>')) {  // operator<, operator<<, operator>= ...
            while (i < text.size() && (text[i] == '<' || text[i] == '>' || text[i] == '=')) {
                if (depth < 2) out += text[i];
                ++i;
            }
            --i;
            continue;
        }
        if (c == '<') {
            if (depth < 2) out += depth == 1 ? "<…" : "<";
            ++depth;
            continue;
        }
        if (c == '>' && depth > 0 && !(i > 0 && text[i - 1] == '-')) {
            --depth;
            if (depth < 2 && !out.empty() && out.back() == ' ') out.pop_back();  // "VectorXd >" -> "VectorXd>"
            if (depth < 2) out += '>';
            continue;
        }
        if (depth < 2) out += c;
    }
    if (out.size() > max_message_chars) out = out.substr(0, max_message_chars) + " …";
    return out;
}

std::vector<std::string> classic_mistakes(const std::string& log) {
    // Element-wise functions an Array has and a Matrix does not (or has as a matrix function).
    static const char* const array_functions[] = {"exp", "log", "abs", "square", "max", "min", "inverse", "pow"};
    bool array_matrix = false, broadcast = false, row_column = false;
    for (const Diagnostic& d : parse(log)) {
        if (d.severity != "error" && d.severity != "fatal error") continue;
        const std::string& m = d.message;
        const bool matrix = contains(m, "Matrix<") || contains(m, "MatrixXd") || contains(m, "VectorXd") ||
                            contains(m, "MatrixBase") || contains(m, "MatrixWrapper");
        const bool array = contains(m, "Array<") || contains(m, "ArrayXd") || contains(m, "ArrayWrapper") ||
                           contains(m, "ArrayBase");
        const bool no_match = contains(m, "no match for");
        const bool scalar_operand = contains(m, "double") || contains(m, "int") || contains(m, "Scalar");
        if (contains(m, "YOU_CANNOT_MIX_ARRAYS_AND_MATRICES") || contains(m, "MatrixExponentialReturnValue") ||
            contains(m, "MatrixLogarithmReturnValue") || contains(m, "MatrixPowerReturnValue") ||
            contains(m, "MatrixSquareRootReturnValue") || (no_match && matrix && array) ||
            (no_match && matrix && scalar_operand && (contains(m, "operator-") || contains(m, "operator+"))) ||
            (contains(m, "has no member named") && matrix &&
             std::any_of(std::begin(array_functions), std::end(array_functions), [&](const char* f) {
                 return contains(m, std::string("'") + f + "'") ||
                        contains(m, std::string("\xe2\x80\x98") + f + "\xe2\x80\x99");
             }))) {
            array_matrix = true;
        }
        if (contains(m, "THIS_METHOD_IS_ONLY_FOR_ARRAYS_NOT_MATRICES")) {
            if (contains(d.file, "VectorwiseOp")) broadcast = true;
            else array_matrix = true;
        }
        if (contains(m, "YOU_PASSED_A_COLUMN_VECTOR_BUT_A_ROW_VECTOR_WAS_EXPECTED") ||
            contains(m, "YOU_PASSED_A_ROW_VECTOR_BUT_A_COLUMN_VECTOR_WAS_EXPECTED") ||
            contains(m, "YOU_MIXED_MATRICES_OF_DIFFERENT_SIZES") || contains(m, "INVALID_MATRIX_PRODUCT")) {
            row_column = true;
        }
    }
    std::vector<std::string> notes;
    if (array_matrix) {
        notes.push_back(
            "Array or Matrix? Eigen's Matrix and Vector types do linear algebra: element-wise work (exp, log, "
            "adding a scalar, * and / entry by entry) needs an Array, e.g. v.array().exp() or v.array() - m "
            "(and .matrix() to get a matrix back); a Matrix and an Array do not mix in one operation.");
    }
    if (broadcast) {
        notes.push_back(
            "rowwise()/colwise() on a matrix broadcast only + and -; for * and / make both sides arrays, e.g. "
            "E.array().colwise() / E.array().rowwise().sum().");
    }
    if (row_column) {
        notes.push_back(
            "VectorXd or RowVectorXd? A VectorXd is a column (V x 1), a RowVectorXd a row (1 x V): Z.rowwise() - x "
            "needs a row (x.transpose()), and per-row results such as Z.rowwise().maxCoeff() are columns, so "
            "subtract them with Z.colwise() - m.");
    }
    return notes;
}

std::string summarise_errors(const std::string& log, const std::string& source, const std::string& text,
                             const std::string& log_path) {
    const std::vector<std::string> lines = split_lines(log);
    std::size_t first = lines.size();
    std::size_t errors = 0;
    Diagnostic error;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        Diagnostic d;
        if (!parse_line(lines[i], d) || (d.severity != "error" && d.severity != "fatal error")) continue;
        if (errors++ == 0) {
            first = i;
            error = d;
        }
    }
    std::string out;
    if (errors == 0) {  // not compiler diagnostics (a link error, a killed compiler): the first lines as they are
        const std::size_t shown = std::min<std::size_t>(lines.size(), 12);
        for (std::size_t i = 0; i < shown; ++i) out += lines[i] + "\n";
        if (shown < lines.size()) out += "(" + std::to_string(lines.size() - shown) + " more lines)\n";
        if (!log_path.empty()) out += "(" + log_note(log_path) + ")\n";
        return out;
    }
    // Inside a header: the line of the student's file that led there ("required from here").
    int row = error.line, column = error.column;
    bool inside_header = !same_file(error.file, source);
    if (inside_header) {
        for (std::size_t i = first; i-- > 0;) {
            Diagnostic d;
            std::string file, rest;
            int r = 0, c = 0;
            if (parse_line(lines[i], d) && (d.severity == "error" || d.severity == "fatal error")) break;
            if (split_location(lines[i], file, r, c, rest) && same_file(file, source)) {
                row = r, column = c;
                inside_header = false;
                break;
            }
        }
    }
    std::string where = inside_header ? error.file : file_name(source);
    const std::string header = fs::path(error.file).filename().string();
    out += where + ":" + std::to_string(row) + ":" + std::to_string(column) + ": " + error.severity;
    if (!inside_header && !same_file(error.file, source)) out += " (inside " + header + ")";
    out += ": " + fold(error.message) + "\n";
    if (!inside_header) {
        const std::string code = code_line(text, row);
        if (!code.empty()) out += code + "\n";
    }
    for (const std::string& note : classic_mistakes(log)) out += wrap("Note: " + note, "      ");
    std::string tail;
    if (errors > 1) tail = std::to_string(errors - 1) + " more error" + (errors > 2 ? "s" : "") + " in this file";
    const std::string note = log_note(log_path);
    if (!note.empty()) tail += (tail.empty() ? "" : "; ") + note;
    if (!tail.empty()) out += "(" + tail + ")\n";
    return out;
}

std::string summarise_warnings(const std::string& log, const std::string& source, const std::string& text,
                               const std::string& log_path, std::size_t max_shown) {
    std::vector<Diagnostic> warnings;
    for (Diagnostic& d : parse(log)) {
        if (d.severity != "warning" || !same_file(d.file, source)) continue;
        const bool repeated = std::any_of(warnings.begin(), warnings.end(), [&](const Diagnostic& w) {
            return w.line == d.line && w.message == d.message;
        });
        if (!repeated) warnings.push_back(std::move(d));
    }
    if (warnings.empty()) return "";
    std::stable_sort(warnings.begin(), warnings.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    std::string out;
    const std::size_t shown = std::min(max_shown, warnings.size());
    int last_line = 0;
    for (std::size_t i = 0; i < shown; ++i) {
        const Diagnostic& w = warnings[i];
        out += file_name(source) + ":" + std::to_string(w.line) + ":" + std::to_string(w.column) + ": warning: " +
               fold(w.message) + "\n";
        const bool next_same_line = i + 1 < shown && warnings[i + 1].line == w.line;
        if (!next_same_line || w.line != last_line) {
            const std::string code = next_same_line ? "" : code_line(text, w.line);
            if (!code.empty()) out += code + "\n";
        }
        last_line = w.line;
    }
    if (shown < warnings.size()) {
        const std::size_t more = warnings.size() - shown;
        out += "(" + std::to_string(more) + " more warning" + (more > 1 ? "s" : "") +
               (log_path.empty() ? "" : "; " + log_note(log_path)) + ")\n";
    }
    return out;
}

}  // namespace celab::grader::compiler_output
