// The gcc format: one compiler-style line per failing check, so that an editor's error list (VS Code's
// problem matcher in .vscode/tasks.json, Vim's quickfix, Emacs' compile mode) jumps to the function:
//
//   exercises/softmax.cpp:10:17: error: softmax: values: case "basic" (logits [1, 2, 3]): worst entry ...
//   exercises/softmax.cpp:10:17: note: softmax: Likely mistake: ...
//   exercises/loss.cpp:12:8: warning: cross_entropy: not implemented yet
//
// The position is that of the exercise's definition in the student's file, found when the report is
// written. A check is reported by its first failing case (a visible one when there is one), like the
// text report; hidden rows show their verdict only. Compiler output is passed through as it is (it is
// already in this format).
#include "reports.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <vector>

namespace celab::grader::reports {

namespace detail {

namespace {

bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// `line` without comments; `in_block` carries a /* comment */ across lines. (String literals are not
// parsed: a definition is never inside one.)
std::string code_of(const std::string& line, bool& in_block) {
    std::string code;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (in_block) {
            if (line.compare(i, 2, "*/") == 0) {
                in_block = false;
                ++i;
            }
            code += ' ';
            continue;
        }
        if (line.compare(i, 2, "//") == 0) break;
        if (line.compare(i, 2, "/*") == 0) {
            in_block = true;
            code += ' ';
            ++i;
            continue;
        }
        code += line[i];
    }
    return code;
}

// What precedes a name in a definition: a return type ("Eigen::VectorXd ", "double ", "celab::").
bool looks_like_type(const std::string& before) {
    const std::string t = trim(before);
    if (t.empty()) return false;
    if (t.find_first_of("=(,;{}?") != std::string::npos) return false;  // inside an expression or a call
    for (const char* word : {"return", "throw", "case", "else", "co_return"}) {
        const std::string w = word;
        if (t == w || t.compare(0, w.size() + 1, w + " ") == 0) return false;
    }
    const char last = t.back();
    return identifier_char(last) || last == '>' || last == '&' || last == '*' || last == ':';
}

}  // namespace

std::pair<int, int> definition_position(const std::filesystem::path& file, const std::string& name) {
    std::ifstream in(file);
    if (!in || name.empty()) return {1, 1};
    std::string line, previous;  // previous: the last non-blank line of code
    bool in_block = false;
    for (int number = 1; std::getline(in, line); ++number) {
        const std::string code = code_of(line, in_block);
        for (std::size_t at = code.find(name); at != std::string::npos; at = code.find(name, at + 1)) {
            if (at > 0 && identifier_char(code[at - 1])) continue;
            std::size_t after = at + name.size();
            while (after < code.size() && (code[after] == ' ' || code[after] == '\t')) ++after;
            const bool opens = after < code.size() ? code[after] == '(' : false;
            if (!opens) continue;
            const std::string before = code.substr(0, at);
            const bool definition = looks_like_type(before) ||
                                    // the return type on the line above: "Eigen::VectorXd\nsoftmax(...)"
                                    (trim(before).empty() && looks_like_type(previous));
            // A declaration ends with ';' on the same line; a definition does not.
            const bool declaration = trim(code).back() == ';' && code.find('{') == std::string::npos;
            if (definition && !declaration) return {number, static_cast<int>(at) + 1};
        }
        if (!trim(code).empty()) previous = code;
    }
    return {1, 1};
}

std::filesystem::path submission_folder(const Report& report) {
    const std::filesystem::path folder = report.submission.empty() ? "exercises" : report.submission;
    if (folder.extension() == ".so") return {};
    return folder;
}

}  // namespace detail

namespace {

bool failed(Status s) { return s != Status::pass && s != Status::skipped && s != Status::not_implemented; }

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

void write_gcc(std::ostream& out, const Report& report) {
    const std::filesystem::path folder = detail::submission_folder(report);
    std::set<std::string> compiler_shown;
    std::size_t complete = 0, exercises = 0;
    for (Exercise e : all_exercises()) {
        std::vector<const CheckResult*> rows;
        for (const CheckResult& r : report.checks)
            if (r.exercise == e) rows.push_back(&r);
        const std::string& compiler = detail::build_errors(report, e);
        if (rows.empty() && compiler.empty()) continue;
        ++exercises;
        const std::string file = detail::student_file(report, e);
        const auto [line, column] =
            folder.empty() ? std::pair<int, int>{1, 1}
                           : detail::definition_position(folder / (std::string(source_file(e)) + ".cpp"), name(e));
        const std::string at = detail::printable(file) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";

        if (!compiler.empty() && compiler_shown.insert(file).second) {
            out << detail::printable(compiler);
            if (compiler.back() != '\n') out << "\n";
        }
        if (!rows.empty() && std::all_of(rows.begin(), rows.end(), [](const CheckResult* r) { return r->status == Status::pass; })) {
            ++complete;
            continue;
        }
        // A file that does not compile: its compiler errors above say it all, once per exercise.
        if (!compiler.empty() &&
            std::none_of(rows.begin(), rows.end(), [](const CheckResult* r) { return r->status == Status::pass; })) {
            out << at << "error: " << name(e) << ": does not compile (compiler output above)\n";
            continue;
        }
        if (!rows.empty() && std::all_of(rows.begin(), rows.end(), [](const CheckResult* r) {
                return r->status == Status::not_implemented;
            })) {
            out << at << "warning: " << name(e) << ": not implemented yet\n";
            continue;
        }
        // One line per failing check, in check order: its first visible failing case, else its first.
        std::vector<std::string> order = check_names(e);
        for (const CheckResult* r : rows)
            if (std::find(order.begin(), order.end(), r->check) == order.end()) order.push_back(r->check);
        for (const std::string& check : order) {
            std::vector<const CheckResult*> failures;
            for (const CheckResult* r : rows)
                if (r->check == check && failed(r->status)) failures.push_back(r);
            if (failures.empty()) continue;
            const auto visible = std::find_if(failures.begin(), failures.end(),
                                              [](const CheckResult* r) { return !r->withheld(); });
            const CheckResult& shown = visible != failures.end() ? **visible : *failures.front();
            out << at << "error: " << name(e) << ": " << detail::printable(check) << ": ";
            if (shown.withheld()) {
                out << "hidden case: " << detail::status_phrase(shown.status)
                    << " (the details of hidden cases are not shown)";
            } else {
                const bool names_case = shown.message.find(shown.case_name) != std::string::npos;
                if (!names_case) out << "case \"" << detail::printable(shown.case_name) << "\": ";
                if (shown.status != Status::fail) out << "(" << detail::status_phrase(shown.status) << ") ";
                out << detail::printable(first_line(shown.message));
            }
            if (failures.size() > 1)
                out << " (and " << failures.size() - 1 << " more failing case" << (failures.size() > 2 ? "s" : "") << ")";
            out << "\n";
            if (!shown.withheld() && !shown.diagnosis.empty())
                out << at << "note: " << name(e) << ": "
                    << (shown.diagnosis.rfind("Likely mistake", 0) == 0 ? "" : "Likely mistake: ")
                    << detail::printable(first_line(shown.diagnosis)) << "\n";
            if (!shown.withheld() && !shown.hint.empty())
                out << at << "note: " << name(e) << ": Hint: " << detail::printable(first_line(shown.hint)) << "\n";
        }
    }
    out << "celab: " << complete << "/" << exercises << " exercises complete, score "
        << detail::format_points(report.score()) << "/" << detail::format_points(report.max_score()) << ", seed "
        << report.seed << "\n";
}

}  // namespace celab::grader::reports
