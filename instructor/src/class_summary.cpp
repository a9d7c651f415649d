#include "class_summary.hpp"

#include "gradebook.hpp"
#include "reports.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace celab::course {

std::string display_name(const std::string& name) { return grader::reports::detail::printable(name); }

ClassSummary summarise(const BatchResult& batch) {
    ClassSummary out;
    out.students = static_cast<int>(batch.students.size());
    std::map<std::string, int> statuses;
    for (const StudentResult& s : batch.students) ++statuses[name(s.status)];
    for (StudentStatus st : {StudentStatus::ok, StudentStatus::compile_error, StudentStatus::crash,
                             StudentStatus::timeout, StudentStatus::missing_files, StudentStatus::refused,
                             StudentStatus::grader_error})
        if (statuses.count(name(st))) out.statuses.emplace_back(name(st), statuses[name(st)]);

    // Order of exercises and checks: as the rows come (report order).
    std::vector<std::string> exercise_order, check_order;
    std::map<std::string, Rate> exercises, checks;
    std::map<std::string, ClassSummary::Mistake> mistakes;
    std::map<std::string, std::set<std::string>> mistake_exercises;
    double totals = 0.0;
    for (const StudentResult& s : batch.students) {
        if (!s.graded) continue;
        ++out.graded;
        totals += s.total;
        std::map<std::string, bool> exercise_ok, check_ok;
        for (const Row& r : s.rows) {
            const std::string check = r.exercise + ": " + r.check;
            if (!exercise_ok.count(r.exercise)) {
                exercise_ok[r.exercise] = true;
                if (std::find(exercise_order.begin(), exercise_order.end(), r.exercise) == exercise_order.end())
                    exercise_order.push_back(r.exercise);
            }
            if (!check_ok.count(check)) {
                check_ok[check] = true;
                if (std::find(check_order.begin(), check_order.end(), check) == check_order.end())
                    check_order.push_back(check);
            }
            if (r.status != "pass") exercise_ok[r.exercise] = check_ok[check] = false;
            if (!r.mistake.empty()) {
                ClassSummary::Mistake& m = mistakes[r.mistake];
                m.id = r.mistake;
                ++m.rows;
                if (r.hidden) ++m.hidden_rows;
                const std::string student = display_name(s.name);
                if (m.students.empty() || m.students.back() != student) m.students.push_back(student);
                mistake_exercises[r.mistake].insert(r.exercise);
            }
        }
        for (const auto& [e, ok] : exercise_ok) ++exercises[e].graded, exercises[e].passed += ok;
        for (const auto& [c, ok] : check_ok) ++checks[c].graded, checks[c].passed += ok;
    }
    for (const std::string& e : exercise_order) out.exercises.emplace_back(e, exercises[e]);
    for (const std::string& c : check_order) out.checks.emplace_back(c, checks[c]);
    for (auto& [id, m] : mistakes) {
        for (const std::string& e : exercise_order)
            if (mistake_exercises[id].count(e)) m.exercises.push_back(e);
        out.mistakes.push_back(std::move(m));
    }
    std::stable_sort(out.mistakes.begin(), out.mistakes.end(), [](const auto& a, const auto& b) {
        return a.students.size() > b.students.size();
    });
    out.mean_total = out.graded ? totals / out.graded : 0.0;
    return out;
}

namespace {

std::string percent_text(const Rate& r) {
    char text[32];
    std::snprintf(text, sizeof text, "%3.0f %%", r.percent());
    return text;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string text;
    for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
    return text;
}

}  // namespace

std::string summary_text(const BatchResult& batch, const ClassSummary& summary) {
    std::ostringstream out;
    out << "Class summary: " << summary.students << " students, " << summary.graded << " graded";
    if (summary.graded) out << ", mean score " << points_text(summary.mean_total) << " of " << points_text(batch.max);
    out << "\n\nStatuses:";
    for (const auto& [status, n] : summary.statuses) out << "  " << status << " " << n;
    out << "\n\nExercises (students with full marks):\n";
    for (const auto& [e, r] : summary.exercises)
        out << "  " << percent_text(r) << "  " << r.passed << "/" << r.graded << "  " << e << "\n";
    out << "\nChecks (students who passed every case of the check, hidden cases included):\n";
    for (const auto& [c, r] : summary.checks)
        out << "  " << percent_text(r) << "  " << r.passed << "/" << r.graded << "  " << c << "\n";
    out << "\nDiagnosed mistakes (most students first; hidden cases included):\n";
    if (summary.mistakes.empty()) out << "  none\n";
    for (const ClassSummary::Mistake& m : summary.mistakes) {
        out << "  " << m.id << ": " << m.students.size() << (m.students.size() == 1 ? " student" : " students") << ", "
            << m.rows << (m.rows == 1 ? " row" : " rows");
        if (m.hidden_rows) out << " (" << m.hidden_rows << " hidden)";
        out << ", in " << join(m.exercises, ", ") << "\n";
        out << "    students: " << join(m.students, ", ") << "\n";
    }
    out << "\nStudents not ok:\n";
    bool any = false;
    for (const StudentResult& s : batch.students) {
        if (s.status == StudentStatus::ok) continue;
        any = true;
        out << "  " << display_name(s.name) << ": " << name(s.status) << ": " << s.reason << "\n";
    }
    if (!any) out << "  none\n";
    if (!batch.ignored.empty()) {
        out << "\nIgnored entries of the submissions folder:\n";
        for (const Entry& e : batch.ignored) out << "  " << display_name(e.name) << ": " << e.reason << "\n";
    }
    return out.str();
}

}  // namespace celab::course
