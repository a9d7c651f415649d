// The Gradescope autograder results.json, per Gradescope's "Autograder Specifications"
// (https://gradescope-autograders.readthedocs.io/en/latest/specs/, "Output format", "Controlling Test
// Case Visibility", "Test case status", "Output String Formatting"):
//
//   {"score", "output", "output_format": "text", "test_output_format": "text", "test_name_format": "text",
//    "visibility": "visible", "stdout_visibility": "hidden",
//    "tests": [{"name": "EXERCISE / CHECK", "name_format": "text", "number", "score", "max_score",
//               "status": "passed"|"failed", "output", "output_format": "text",
//               "visibility": "visible" | "after_published", "tags": ["EXERCISE"]}]}
//
// One test per exercise and check (tens of rows, not one per case): its score is the sum of its cases'
// points and its output lists the failing cases, those failing alike once with their names (a hidden
// case: its name and verdict only). Under "mastery" scoring (model.hpp, Scoring) each exercise also has a
// test "EXERCISE / mastery", after its checks, with the exercise's mastery share (the checks' tests leave
// it out); it is "after_published" like the hidden cases when the exercise has some. Every string is "text": Gradescope's default for the top-level
// output is "simple_format", which renders HTML, and student-controlled text (printed output, an Eigen
// type name with <...> in a compiler error) must be shown literally.
//
// Hidden cases, chosen by the environment variable CELAB_GRADESCOPE_HIDDEN:
//   "after_published" (default)  the hidden cases of a check are a test of their own, "EXERCISE / CHECK
//                                (hidden cases)", with visibility "after_published": students see it,
//                                and their total score, only once the instructor publishes the grades.
//   "visible"                    one visible test per check; the output names failing hidden cases and
//                                their verdict only, so students see their total score at once.
// The top-level output holds the progress summary, the compiler output (once per file; a file not
// uploaded is named as missing) and the student's own output; the latter only for exercises without
// hidden cases, since a submission could print the inputs it was given.
#include "reports.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <ostream>
#include <set>
#include <utility>
#include <vector>

namespace celab::grader::reports {

namespace {

// Limits on what one results.json carries: Gradescope shows it in the browser.
constexpr std::size_t max_listed_failures = 10;       // failures spelled out per test, and case names per failure
constexpr std::size_t max_message_chars = 1000;       // per failing case
constexpr std::size_t max_test_output_chars = 16000;  // per test
constexpr std::size_t max_block_chars = 20000;        // per block of compiler or student output

// `text` cut to at most `limit` bytes (not inside a UTF-8 sequence), with a note of what was cut.
std::string clip(std::string text, std::size_t limit) {
    if (text.size() <= limit) return text;
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    const std::size_t dropped = text.size() - cut;
    text.resize(cut);
    return text + "\n[... " + std::to_string(dropped) + " more bytes not shown]";
}

// `text` made printable, without its trailing newlines, at most `limit` bytes.
std::string block(const std::string& text, std::size_t limit = max_block_chars) {
    std::string out = clip(detail::printable(text), limit);
    out.erase(out.find_last_not_of('\n') + 1);
    return out;
}

bool hidden_rows_after_published() {
    const char* mode = std::getenv("CELAB_GRADESCOPE_HIDDEN");
    return mode == nullptr || std::string(mode) != "visible";
}

// Failing rows that say the same (status, and for visible cases message, diagnosis and hint): listed once,
// with the names of their cases.
struct Failure {
    const CheckResult* first = nullptr;
    bool hidden = false;
    std::vector<std::string> cases;
};

bool same_failure(const Failure& f, const CheckResult& row) {
    const bool hidden = row.withheld() || row.visibility == Visibility::hidden;
    if (f.hidden != hidden || f.first->status != row.status) return false;
    return hidden || (f.first->message == row.message && f.first->diagnosis == row.diagnosis && f.first->hint == row.hint);
}

std::string case_list(const std::vector<std::string>& names) {
    std::string list;
    for (std::size_t i = 0; i < names.size() && i < max_listed_failures; ++i)
        list += (i ? ", \"" : "\"") + names[i] + "\"";
    if (names.size() > max_listed_failures) list += ", ...";
    if (names.size() > 1) list += " (" + std::to_string(names.size()) + ")";
    return list;
}

// What one group of failing rows says in its test's output; a hidden case: its name and verdict only.
std::string failure_text(const Failure& f) {
    const CheckResult& row = *f.first;
    const std::string names = (f.cases.size() == 1 ? "case " : "cases ") + case_list(f.cases);
    if (f.hidden) return detail::printable("hidden " + names + ": " + detail::status_phrase(row.status));
    std::string text = names + ": " + detail::status_phrase(row.status);
    if (row.status == Status::not_implemented) text += " (edit " + std::string(source_file(row.exercise)) + ".cpp)";
    if (!row.message.empty()) text += "\n    " + clip(row.message, max_message_chars);
    if (!row.diagnosis.empty()) text += "\n    Likely mistake: " + row.diagnosis;
    if (!row.hint.empty()) text += "\n    Hint: " + clip(row.hint, max_message_chars);
    return detail::printable(text);
}

// One test: the rows of one exercise and check (of one visibility, in the after_published mode).
struct Test {
    Exercise exercise = nullptr;
    std::string check;
    bool hidden_part = false;  // the hidden cases of the check, after_published
    std::vector<const CheckResult*> rows;
};

std::string test_output(const Test& test) {
    std::size_t passed = 0, hidden = 0, skipped = 0;
    std::vector<Failure> failures;
    for (const CheckResult* row : test.rows) {
        if (row->visibility == Visibility::hidden) ++hidden;
        if (row->status == Status::pass) {
            ++passed;
            continue;
        }
        if (row->status == Status::skipped && row->visibility == Visibility::visible) {  // all say the same
            ++skipped;
            continue;
        }
        auto it = std::find_if(failures.begin(), failures.end(), [&](const Failure& f) { return same_failure(f, *row); });
        if (it == failures.end())
            it = failures.insert(failures.end(), Failure{row, row->withheld() || row->visibility == Visibility::hidden, {}});
        it->cases.push_back(row->case_name);
    }
    const std::size_t total = test.rows.size();
    std::string text = std::to_string(passed) + "/" + std::to_string(total) + (total == 1 ? " case" : " cases") +
                       " passed";
    if (hidden > 0 && !test.hidden_part) text += " (" + std::to_string(hidden) + " of them hidden)";
    if (passed == total) return text;
    std::size_t shown = 0, unlisted = 0;
    std::string lines;
    for (const Failure& f : failures) {
        if (shown == max_listed_failures) {
            unlisted += f.cases.size();
            continue;
        }
        ++shown;
        lines += "\n" + failure_text(f);
    }
    if (!lines.empty()) text += "\nFailing:" + lines;
    if (unlisted > 0) text += "\n(and " + std::to_string(unlisted) + " more failing cases: ./grade lists them)";
    if (skipped > 0) {
        text += "\n" + std::to_string(skipped) + (skipped == 1 ? " case" : " cases") +
                " skipped: they need the check this one depends on (shape) to pass first";
    }
    if (hidden > 0) text += "\nThe inputs and expected values of hidden cases are not shown.";
    return clip(text, max_test_output_chars);
}

std::vector<Test> group_tests(const Report& report, bool split_hidden) {
    // (exercise, check) in the order of their first row; each with its visible and its hidden part.
    std::vector<std::pair<Test, Test>> checks;
    std::map<std::pair<Exercise, std::string>, std::size_t> index;
    for (const CheckResult& row : report.checks) {
        const auto key = std::make_pair(row.exercise, row.check);
        auto it = index.find(key);
        if (it == index.end()) {
            it = index.emplace(key, checks.size()).first;
            checks.emplace_back(Test{row.exercise, row.check, false, {}}, Test{row.exercise, row.check, true, {}});
        }
        const bool hidden_part = split_hidden && row.visibility == Visibility::hidden;
        (hidden_part ? checks[it->second].second : checks[it->second].first).rows.push_back(&row);
    }
    std::vector<Test> tests;
    for (auto& [visible, hidden] : checks) {
        if (!visible.rows.empty()) tests.push_back(std::move(visible));
        if (!hidden.rows.empty()) tests.push_back(std::move(hidden));
    }
    return tests;
}

std::string overall_output(const Report& report, double score, double max_score) {
    std::size_t exercises = 0;
    std::size_t complete = 0;
    std::set<Exercise> with_hidden;
    for (Exercise exercise : all_exercises()) {
        bool any = false;
        bool passed = true;
        for (const CheckResult& row : report.checks) {
            if (row.exercise != exercise) continue;
            any = true;
            passed = passed && row.status == Status::pass;
            if (row.visibility == Visibility::hidden) with_hidden.insert(exercise);
        }
        if (any) {
            ++exercises;
            if (passed) ++complete;
        }
    }
    std::string extras;
    // Compiler output once per file, naming the exercises it holds.
    for (const char* which : {"errors", "warnings"}) {
        std::vector<std::pair<std::string, std::vector<std::string>>> files;  // file -> exercises, in order
        std::map<std::string, std::string> text;
        for (Exercise exercise : all_exercises()) {
            const std::string& output = std::string(which) == "errors" ? detail::build_errors(report, exercise)
                                                                       : detail::build_warnings(report, exercise);
            if (output.empty()) continue;
            const std::string file = std::string(source_file(exercise)) + ".cpp";
            if (!text.count(file)) {
                text[file] = output;
                files.push_back({file, {}});
            }
            for (auto& [f, names] : files)
                if (f == file) names.push_back(name(exercise));
        }
        for (const auto& [file, names] : files) {
            std::string list;
            for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
            if (std::string(which) == "errors" && text[file].rfind("missing file ", 0) == 0) {  // the builder's words
                extras += "\nMissing file: " + file + " (" + list + "): upload it to have these exercises graded\n";
                continue;
            }
            extras += std::string("\n") + (std::string(which) == "errors" ? "Compiler errors in " : "Compiler warnings in ") +
                      file + " (" + list + "):\n" + block(text[file]) + "\n";
        }
    }
    for (Exercise exercise : all_exercises()) {
        const std::string& output = detail::student_output(report, exercise);
        if (output.empty()) continue;
        extras += "\nOutput printed by your code (" + std::string(name(exercise)) + "):\n" +
                  (with_hidden.count(exercise) ? std::string("(not shown: this exercise has hidden cases)") : block(output)) +
                  "\n";
    }
    return "Exercises complete: " + std::to_string(complete) + "/" + std::to_string(exercises) + "\nScore: " +
           detail::format_points(score) + "/" + detail::format_points(max_score) + "\nseed " +
           std::to_string(report.seed) + "\n" + extras;
}

}  // namespace

void write_gradescope(std::ostream& out, const Report& report) {
    const bool after_published = hidden_rows_after_published();
    nlohmann::json tests = nlohmann::json::array();
    double score = 0.0, max_score = 0.0;
    std::map<Exercise, std::pair<int, int>> numbers;  // "EXERCISE.TEST", counted from 1
    const auto add = [&](Exercise exercise, const std::string& test_name, double points, double max_points, bool passed,
                         const std::string& output, bool hidden_part) {
        auto found = numbers.find(exercise);
        if (found == numbers.end()) found = numbers.emplace(exercise, std::make_pair(int(numbers.size()) + 1, 0)).first;
        const int test_number = ++found->second.second;
        points = detail::tidy_points(points);  // 5, not 4.9999999999999964
        max_points = detail::tidy_points(max_points);
        score += points;  // the total is the sum of what the tests show
        max_score += max_points;
        tests.push_back({
            {"name", std::string(name(exercise)) + " / " + test_name},
            {"name_format", "text"},
            {"number", std::to_string(found->second.first) + "." + std::to_string(test_number)},
            {"score", points},
            {"max_score", max_points},
            {"status", passed ? "passed" : "failed"},
            {"output", output},
            {"output_format", "text"},
            {"tags", {name(exercise)}},
            {"visibility", hidden_part ? "after_published" : "visible"},
        });
    };
    // The mastery share of an exercise (model.hpp, Scoring) is a test of its own, after its checks: the
    // checks' tests count their rows' points without it, so a test's score is full exactly when it passes.
    std::set<Exercise> mastery_added;
    const auto add_mastery = [&](Exercise exercise) {
        if (!mastery_added.insert(exercise).second) return;
        double points = 0.0, max_points = 0.0;
        std::size_t rows = 0, passing = 0;
        bool hidden = false;
        std::vector<std::string> failing;  // the checks with a row that does not pass, in report order
        for (const CheckResult& row : report.checks) {
            if (row.exercise != exercise) continue;
            points += row.mastery_points;
            max_points += row.mastery_max_points;
            ++rows;
            if (row.status == Status::pass) ++passing;
            else if (std::find(failing.begin(), failing.end(), row.check) == failing.end()) failing.push_back(row.check);
            hidden = hidden || row.visibility == Visibility::hidden;
        }
        if (max_points <= 0.0) return;
        const bool passed = passing == rows;
        std::string output = "The exercise's mastery share: earned only when every check of every case passes.\n";
        if (passed) {
            output += "Every check of every case passes.";
        } else {
            std::string checks;
            for (const std::string& check : failing) checks += (checks.empty() ? "" : ", ") + check;
            output += "Failing: " + std::to_string(rows - passing) + " of " + std::to_string(rows) +
                      " (case, check) results, in " + detail::printable(checks) + " (their tests list the cases).";
        }
        add(exercise, "mastery", points, max_points, passed, output, after_published && hidden);
    };
    Exercise previous = nullptr;
    for (const Test& test : group_tests(report, after_published)) {
        if (previous != nullptr && test.exercise != previous) add_mastery(previous);
        previous = test.exercise;
        double points = 0.0, max_points = 0.0;
        bool passed = true;
        for (const CheckResult* row : test.rows) {
            points += row->points - row->mastery_points;
            max_points += row->max_points - row->mastery_max_points;
            passed = passed && row->status == Status::pass;
        }
        add(test.exercise, test.check + (test.hidden_part ? " (hidden cases)" : ""), points, max_points, passed,
            test_output(test), test.hidden_part);
    }
    if (previous != nullptr) add_mastery(previous);
    const nlohmann::json document = {
        {"score", score},
        {"output", overall_output(report, score, max_score)},
        {"output_format", "text"},
        {"test_output_format", "text"},
        {"test_name_format", "text"},
        {"visibility", "visible"},
        {"stdout_visibility", "hidden"},
        {"tests", std::move(tests)},
    };
    out << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace celab::grader::reports
