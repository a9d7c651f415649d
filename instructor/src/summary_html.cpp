// summary.html: the class summary as one self-contained page (inline CSS, no script, nothing
// fetched from the network), printable.
#include "class_summary.hpp"

#include "gradebook.hpp"

#include <sstream>

namespace celab::course {

namespace {

std::string escape(const std::string& text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string bar(const Rate& r) {
    std::ostringstream out;
    const int width = static_cast<int>(r.percent() + 0.5);
    out << "<td class='num'>" << r.passed << "/" << r.graded << "</td><td class='num'>" << width
        << "&nbsp;%</td><td class='bar'><span style='width:" << width << "%'></span></td>";
    return out.str();
}

constexpr const char* style = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { padding: .2em .6em; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.bar { width: 12em; } td.bar span { display: block; height: .8em; background: #4a8; }
.status-ok { color: #070; } .status-bad { color: #b00; font-weight: bold; }
code { background: #f4f4f4; padding: 0 .2em; }
.reason { max-width: 40em; font-size: .9em; color: #555; word-break: break-word; }
@media print { td.bar span { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
)";

}  // namespace

std::string summary_html(const BatchResult& batch, const ClassSummary& summary) {
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n<title>Class summary</title>\n<style>"
        << style << "</style>\n</head>\n<body>\n<h1>Class summary</h1>\n<p>" << summary.students << " students, "
        << summary.graded << " graded";
    if (summary.graded)
        out << ", mean score " << points_text(summary.mean_total) << " of " << points_text(batch.max);
    out << ".</p>\n<table id='statuses'><tr><th>status</th><th>students</th></tr>\n";
    for (const auto& [status, n] : summary.statuses)
        out << "<tr><td><code>" << status << "</code></td><td class='num'>" << n << "</td></tr>\n";
    out << "</table>\n";

    out << "<h2>Exercises</h2>\n<p>Students with full marks on the exercise.</p>\n<table id='exercises'>"
           "<tr><th>exercise</th><th>passed</th><th>rate</th><th></th></tr>\n";
    for (const auto& [e, r] : summary.exercises) out << "<tr><td><code>" << escape(e) << "</code></td>" << bar(r) << "</tr>\n";
    out << "</table>\n";

    out << "<h2>Diagnosed mistakes</h2>\n<p>Most students first; hidden cases included.</p>\n<table id='mistakes'>"
           "<tr><th>mistake</th><th>students</th><th>rows (hidden)</th><th>exercises</th><th>who</th></tr>\n";
    if (summary.mistakes.empty()) out << "<tr><td colspan='5'>none</td></tr>\n";
    for (const ClassSummary::Mistake& m : summary.mistakes) {
        out << "<tr><td><code>" << escape(m.id) << "</code></td><td class='num'>" << m.students.size()
            << "</td><td class='num'>" << m.rows << " (" << m.hidden_rows << ")</td><td>";
        for (std::size_t i = 0; i < m.exercises.size(); ++i) out << (i ? ", " : "") << "<code>" << escape(m.exercises[i]) << "</code>";
        out << "</td><td>";
        for (std::size_t i = 0; i < m.students.size(); ++i) out << (i ? ", " : "") << escape(m.students[i]);
        out << "</td></tr>\n";
    }
    out << "</table>\n";

    out << "<h2>Checks</h2>\n<p>Students who passed every case of the check, hidden cases included.</p>\n"
           "<table id='checks'><tr><th>check</th><th>passed</th><th>rate</th><th></th></tr>\n";
    for (const auto& [c, r] : summary.checks) out << "<tr><td><code>" << escape(c) << "</code></td>" << bar(r) << "</tr>\n";
    out << "</table>\n";

    out << "<h2>Students</h2>\n<table id='students'><tr><th>student</th>";
    for (const std::string& column : batch.columns) out << "<th><code>" << escape(column) << "</code></th>";
    out << "<th>total</th><th>status</th><th>reason</th></tr>\n";
    for (const StudentResult& s : batch.students) {
        out << "<tr><td>" << escape(display_name(s.name)) << "</td>";
        for (const std::string& column : batch.columns) {
            double points = 0.0;
            for (const auto& [exercise, p] : s.points)
                if (exercise == column) points = p;
            out << "<td class='num'>" << points_text(points) << "</td>";
        }
        out << "<td class='num'>" << points_text(s.total) << "/" << points_text(batch.max) << "</td><td class='"
            << (s.status == StudentStatus::ok ? "status-ok" : "status-bad") << "'>" << name(s.status)
            << "</td><td class='reason'>" << escape(s.reason) << "</td></tr>\n";
    }
    out << "</table>\n";
    if (!batch.ignored.empty()) {
        out << "<h2>Ignored entries</h2>\n<ul>\n";
        for (const Entry& e : batch.ignored) out << "<li>" << escape(display_name(e.name)) << ": " << escape(e.reason) << "</li>\n";
        out << "</ul>\n";
    }
    out << "</body>\n</html>\n";
    return out.str();
}

}  // namespace celab::course
