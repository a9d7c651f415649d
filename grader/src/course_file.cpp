// The course file: parsing, validation, points. See course_file.hpp.
#include "course_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace celab::grader::course {

namespace {

std::string known_exercises() {
    std::string list;
    for (Exercise e : all_exercises()) list += (list.empty() ? "" : ", ") + std::string(name(e));
    return list;
}

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& field, const std::string& problem) {
    throw CourseError(file.string() + (field.empty() ? "" : ": field \"" + field + "\"") + ": " + problem);
}

Exercise exercise_of(const nlohmann::json& value, const std::filesystem::path& file, const std::string& field) {
    if (!value.is_string()) fail(file, field, "an exercise name must be a string, got " + value.dump());
    const auto e = exercise_from_name(value.get<std::string>());
    if (!e) fail(file, field, "unknown exercise \"" + value.get<std::string>() + "\"; the exercises are: " + known_exercises());
    return *e;
}

}  // namespace

Course built_in() {
    Course c;
    c.exercises = all_exercises();
    return c;
}

Course for_checkout(const std::filesystem::path& root, const std::string& given) {
    if (!given.empty()) return load(given);
    const std::filesystem::path file = root / "course.json";
    std::error_code ec;
    return std::filesystem::exists(file, ec) ? load(file) : built_in();
}

Course parse(const std::string& text, const std::filesystem::path& file) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        fail(file, "", std::string("not valid JSON (") + e.what() + "); fix the syntax at that byte");
    }
    if (!j.is_object()) fail(file, "", "must be a JSON object like {\"seed\": 20261130}");

    static const std::set<std::string> fields{"course", "seed", "exercises", "points", "scoring"};
    for (const auto& [key, value] : j.items()) {
        (void)value;
        if (!fields.count(key))
            fail(file, key, "unknown field; the fields are course, seed, exercises, points and scoring (docs/instructors.md)");
    }

    Course c = built_in();
    c.file = file;
    if (j.contains("course")) {
        if (!j["course"].is_string()) fail(file, "course", "must be a string (the course's name), got " + j["course"].dump());
        c.name = j["course"].get<std::string>();
    }
    if (!j.contains("seed")) fail(file, "seed", "missing; add e.g. \"seed\": 20261130 (any whole number from 0 to 2^53)");
    const nlohmann::json& seed = j["seed"];
    if (!seed.is_number_unsigned() || seed.get<unsigned long long>() > (1ULL << 53))
        fail(file, "seed", "must be a whole number from 0 to 2^53, got " + seed.dump());
    c.seed = seed.get<unsigned long long>();

    if (j.contains("exercises")) {
        const nlohmann::json& list = j["exercises"];
        if (!list.is_array() || list.empty())
            fail(file, "exercises", "must be a non-empty list of exercise names, e.g. [\"softmax\"]; the exercises are: " +
                                        known_exercises());
        std::set<Exercise> chosen;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string field = "exercises[" + std::to_string(i) + "]";
            const Exercise e = exercise_of(list[i], file, field);
            if (!chosen.insert(e).second) fail(file, field, "\"" + std::string(name(e)) + "\" is listed twice; remove one");
        }
        c.exercises.clear();
        for (Exercise e : all_exercises())
            if (chosen.count(e)) c.exercises.push_back(e);
    }

    if (j.contains("points")) {
        const nlohmann::json& points = j["points"];
        if (!points.is_object())
            fail(file, "points", "must be an object of exercise name to points, e.g. {\"softmax\": 10}, got " + points.dump());
        for (const auto& [key, value] : points.items()) {
            const std::string field = "points." + key;
            const Exercise e = exercise_of(nlohmann::json(key), file, field);
            if (std::find(c.exercises.begin(), c.exercises.end(), e) == c.exercises.end())
                fail(file, field, "\"" + key + "\" is not in \"exercises\"; add it there or remove its points");
            if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() <= 0.0 ||
                value.get<double>() > 1e6)
                fail(file, field, "points must be a number above 0 and at most 1000000, got " + value.dump());
            c.points[e] = value.get<double>();
        }
    }
    if (j.contains("scoring")) {
        const nlohmann::json& scoring = j["scoring"];
        const std::string given = scoring.is_string() ? scoring.get<std::string>() : "";
        if (given == name(Scoring::mastery)) c.scoring = Scoring::mastery;
        else if (given == name(Scoring::per_check)) c.scoring = Scoring::per_check;
        else
            fail(file, "scoring",
                 "must be \"mastery\" (half of each exercise's points only when all its checks pass; the default) or "
                 "\"per_check\" (each check's own weight), got " + scoring.dump());
    }
    return c;
}

Course load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(file, "", "cannot be read; check the path (--course FILE) and its permissions");
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > (std::size_t(1) << 20)) fail(file, "", "is larger than 1 MiB; a course file is a few lines");
    return parse(text.str(), file);
}

void apply_points(Report& report, const std::map<Exercise, double>& points, Scoring scoring) {
    struct Totals {
        double weight = 0.0;
        bool all_pass = true;
    };
    std::map<Exercise, Totals> exercises;
    for (CheckResult& r : report.checks) {
        if (r.weight <= 0.0) r.weight = r.max_points;  // first seen: its case's points per check
        Totals& t = exercises[r.exercise];
        t.weight += r.weight;
        t.all_pass = t.all_pass && r.status == Status::pass;
    }
    for (CheckResult& r : report.checks) {
        const Totals& t = exercises.at(r.exercise);
        const auto given = points.find(r.exercise);
        const bool passed = r.status == Status::pass;
        if (scoring == Scoring::per_check) {
            // The raw weights, or scaled to the course's points of the exercise.
            r.max_points = given == points.end() || t.weight <= 0.0 ? r.weight : r.weight * given->second / t.weight;
            r.points = passed ? r.max_points : 0.0;
            r.mastery_points = r.mastery_max_points = 0.0;
            continue;
        }
        const double exercise_points = given == points.end() ? default_points : given->second;
        const double share = t.weight > 0.0 ? exercise_points * r.weight / t.weight : 0.0;
        r.max_points = share;
        r.mastery_max_points = share / 2.0;
        r.mastery_points = t.all_pass ? share / 2.0 : 0.0;
        r.points = (passed ? share / 2.0 : 0.0) + r.mastery_points;
    }
}

}  // namespace celab::grader::course
