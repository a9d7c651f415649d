#include "gradebook.hpp"

#include "reports.hpp"

#include <cstdio>

namespace celab::course {

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string points_text(double points) {
    char text[64];
    std::snprintf(text, sizeof text, "%.4f", points);
    std::string s = text;
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

std::string gradebook_csv(const BatchResult& batch) {
    std::string csv = "student";
    for (const std::string& column : batch.columns) csv += "," + csv_field(column);
    csv += ",total,max,status,reason\r\n";
    for (const StudentResult& s : batch.students) {
        csv += csv_field(grader::reports::detail::printable(s.name));
        for (const std::string& column : batch.columns) {
            double points = 0.0;
            for (const auto& [exercise, p] : s.points)
                if (exercise == column) points = p;
            csv += "," + points_text(points);
        }
        csv += "," + points_text(s.total) + "," + points_text(batch.max) + "," + name(s.status) + "," +
               csv_field(s.reason) + "\r\n";
    }
    return csv;
}

}  // namespace celab::course
