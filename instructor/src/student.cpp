#include "student.hpp"

#include <stdexcept>

namespace celab::course {

namespace {
constexpr StudentStatus all_statuses[] = {StudentStatus::refused,       StudentStatus::missing_files,
                                          StudentStatus::compile_error, StudentStatus::timeout,
                                          StudentStatus::crash,         StudentStatus::ok,
                                          StudentStatus::grader_error};
}

const char* name(StudentStatus status) {
    switch (status) {
        case StudentStatus::refused: return "refused";
        case StudentStatus::missing_files: return "missing_files";
        case StudentStatus::compile_error: return "compile_error";
        case StudentStatus::timeout: return "timeout";
        case StudentStatus::crash: return "crash";
        case StudentStatus::ok: return "ok";
        case StudentStatus::grader_error: return "grader_error";
    }
    return "grader_error";
}

nlohmann::json to_json(const StudentResult& s) {
    nlohmann::json rows = nlohmann::json::array();
    for (const Row& r : s.rows) rows.push_back({r.exercise, r.check, r.case_name, r.hidden, r.status, r.mistake});
    nlohmann::json points = nlohmann::json::array();
    for (const auto& [exercise, p] : s.points) points.push_back({exercise, p});
    // The name may hold bytes that are not UTF-8: kept as an array of bytes, so JSON can hold it.
    std::vector<int> name_bytes;
    for (unsigned char c : s.name) name_bytes.push_back(c);
    return {{"record", 1},          {"name_bytes", name_bytes}, {"fingerprint", s.fingerprint},
            {"status", name(s.status)}, {"reason", s.reason},   {"graded", s.graded},
            {"points", points},     {"total", s.total},         {"max", s.max},
            {"rows", rows}};
}

StudentResult student_from_json(const nlohmann::json& j) {
    if (j.at("record").get<int>() != 1) throw std::invalid_argument("unknown record version");
    StudentResult s;
    for (int c : j.at("name_bytes")) s.name.push_back(static_cast<char>(c));
    s.fingerprint = j.at("fingerprint").get<std::string>();
    const std::string status = j.at("status").get<std::string>();
    bool known = false;
    for (StudentStatus candidate : all_statuses)
        if (status == name(candidate)) s.status = candidate, known = true;
    if (!known) throw std::invalid_argument("unknown status " + status);
    s.reason = j.at("reason").get<std::string>();
    s.graded = j.at("graded").get<bool>();
    for (const auto& p : j.at("points")) s.points.emplace_back(p.at(0).get<std::string>(), p.at(1).get<double>());
    s.total = j.at("total").get<double>();
    s.max = j.at("max").get<double>();
    for (const auto& r : j.at("rows"))
        s.rows.push_back(Row{r.at(0).get<std::string>(), r.at(1).get<std::string>(), r.at(2).get<std::string>(),
                             r.at(3).get<bool>(), r.at(4).get<std::string>(), r.at(5).get<std::string>()});
    return s;
}

}  // namespace celab::course
