// The class summary: how many students passed each exercise and each check, and the diagnosed
// mistakes with the students who made them (hidden cases included: the instructor's view).
// Written as summary.txt (here) and summary.html (summary_html.cpp).
#pragma once

#include "batch.hpp"

#include <string>
#include <utility>
#include <vector>

namespace celab::course {

struct Rate {
    int passed = 0;  // students who passed every row (every case of every check concerned)
    int graded = 0;  // students graded on it
    double percent() const { return graded ? 100.0 * passed / graded : 0.0; }
};

struct ClassSummary {
    int students = 0, graded = 0;
    std::vector<std::pair<std::string, int>> statuses;          // status -> students, in status order (non-zero only)
    std::vector<std::pair<std::string, Rate>> exercises;        // exercise -> full marks
    std::vector<std::pair<std::string, Rate>> checks;           // "exercise: check" -> passed on every case
    struct Mistake {
        std::string id;
        std::vector<std::string> students;   // display names, in gradebook order
        std::vector<std::string> exercises;  // where it was diagnosed, report order
        int rows = 0, hidden_rows = 0;       // rows diagnosed with it (of which on hidden cases)
    };
    std::vector<Mistake> mistakes;  // most students first, then by id
    double mean_total = 0.0;        // over graded students
};

ClassSummary summarise(const BatchResult& batch);

// A student's name as every summary shows it (reports::detail::printable).
std::string display_name(const std::string& name);

std::string summary_text(const BatchResult& batch, const ClassSummary& summary);
std::string summary_html(const BatchResult& batch, const ClassSummary& summary);

}  // namespace celab::course
