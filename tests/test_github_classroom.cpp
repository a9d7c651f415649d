// The GitHub Classroom workflow (instructor/github-classroom/classroom.yml): one command-grader step per
// exercise, the reporter listing them all, and each step's command run here, on the reference solutions
// (full marks) and on the stubs (0), scored as classroom-resources/autograding-command-grader scores it:
// exit status 0 earns max-score, anything else 0.
//
// The YAML is read with a small line parser (indentation, "- " items, "key: value"), enough for this
// file: the suite does not depend on a YAML library.
#define BOOST_TEST_MODULE github_classroom
#include <boost/test/unit_test.hpp>

#include "support/files.hpp"

#include "model.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

using celab::test::read_file;

namespace {

const fs::path source_dir = CELAB_SOURCE_DIR;
const fs::path workflow_file = source_dir / "instructor" / "github-classroom" / "classroom.yml";

// One item of the "steps:" list, its keys flattened: "uses", "with.command", "env.SOFTMAX_RESULTS".
using Step = std::map<std::string, std::string>;

struct Workflow {
    std::map<std::string, std::string> top;  // flattened keys outside the steps, e.g. "permissions.checks"
    std::vector<Step> steps;
};

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string unquote(std::string v) {
    v = trim(v);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
    return v;
}

Workflow parse(const std::string& text) {
    Workflow w;
    std::istringstream in(text);
    std::vector<std::pair<std::size_t, std::string>> parents;  // (indent, key) of the enclosing mappings
    std::size_t step_indent = std::string::npos;                // indentation of the "- " of the current step
    std::string line;
    while (std::getline(in, line)) {
        const std::string trimmed = trim(line);
        if (trimmed.empty() || trimmed[0] == '#') continue;
        std::size_t indent = line.find_first_not_of(' ');
        std::string content = line.substr(indent);
        while (!parents.empty() && parents.back().first >= indent) parents.pop_back();
        if (step_indent != std::string::npos && indent <= step_indent && content.rfind("- ", 0) != 0)
            step_indent = std::string::npos;  // the steps list ended
        std::string path;
        for (const auto& [at, key] : parents)
            if (step_indent == std::string::npos || at > step_indent) path += key + ".";
        if (content.rfind("- ", 0) == 0) {
            content = content.substr(2);
            const std::size_t colon = content.find(':');
            if (colon == std::string::npos) {  // an item of a list of scalars ("- push")
                std::string& list = w.top[path.substr(0, path.size() - 1)];
                list += (list.empty() ? "" : ",") + unquote(content);
                continue;
            }
            if (!parents.empty() && parents.back().second == "steps") {
                step_indent = indent;
                w.steps.emplace_back();
                path.clear();
            }
            indent += 2;
        }
        const std::size_t colon = content.find(':');
        if (colon == std::string::npos) continue;
        const std::string key = unquote(content.substr(0, colon));
        const std::string value = unquote(content.substr(colon + 1));
        if (value.empty()) {
            parents.emplace_back(indent, key);
            continue;
        }
        if (step_indent != std::string::npos) w.steps.back()[path + key] = value;
        else w.top[path + key] = value;
    }
    return w;
}

int run_status(const std::string& command, std::string& output) {
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    BOOST_REQUIRE(pipe != nullptr);
    char buffer[4096];
    output.clear();
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = ::pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::string command_grader = "classroom-resources/autograding-command-grader@v1";
const std::string reporter = "classroom-resources/autograding-grading-reporter@v1";

std::vector<Step> grader_steps(const Workflow& w) {
    std::vector<Step> steps;
    for (const Step& s : w.steps)
        if (s.count("uses") && s.at("uses") == command_grader) steps.push_back(s);
    return steps;
}

}  // namespace

BOOST_AUTO_TEST_CASE(one_command_grader_step_per_exercise_and_a_reporter) {
    BOOST_REQUIRE_MESSAGE(fs::is_regular_file(workflow_file), workflow_file);
    Workflow w = parse(read_file(workflow_file));
    BOOST_TEST(w.top["on"].find("push") != std::string::npos, "runs on push");
    BOOST_TEST(w.top["permissions.checks"] == "write");
    BOOST_TEST(w.steps.front().at("uses").rfind("actions/checkout@", 0) == 0u);

    const std::vector<Step> steps = grader_steps(w);
    std::set<std::string> graded;
    std::vector<std::string> ids;
    for (const Step& s : steps) {
        BOOST_TEST_CONTEXT("step " << (s.count("name") ? s.at("name") : "?")) {
            BOOST_TEST_REQUIRE(s.count("id") == 1u);
            BOOST_TEST(std::regex_match(s.at("id"), std::regex("[a-zA-Z0-9]+")), "the reporter's runner ids: " << s.at("id"));
            ids.push_back(s.at("id"));
            const std::string name = s.at("with.test-name");
            BOOST_TEST(celab::grader::exercise_from_name(name).has_value(), name << " is an exercise");
            BOOST_TEST(graded.insert(name).second, name << " is graded twice");
            const std::string command = s.at("with.command");
            BOOST_TEST(command.rfind("./grade ", 0) == 0u, command);
            BOOST_TEST(command.find("--exercise " + name) != std::string::npos, command);
            BOOST_TEST(std::regex_match(s.at("with.max-score"), std::regex("[1-9][0-9]*")), "max-score is an integer (parseInt)");
            BOOST_TEST(std::stod(s.at("with.timeout")) > 0.0);
        }
    }
    for (celab::grader::Exercise e : celab::grader::all_exercises())
        BOOST_TEST(graded.count(celab::grader::name(e)) == 1u, celab::grader::name(e) << " has no step");

    const Step* report = nullptr;
    for (const Step& s : w.steps)
        if (s.count("uses") && s.at("uses") == reporter) report = &s;
    BOOST_TEST_REQUIRE(report != nullptr, "no " << reporter << " step");
    BOOST_TEST(&*report == &w.steps.back(), "the reporter comes last");
    std::string runners;
    for (const std::string& id : ids) {
        runners += (runners.empty() ? "" : ",") + id;
        std::string upper = id;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        const std::string env = "env." + upper + "_RESULTS";
        BOOST_TEST(report->count(env) == 1u, env);
        if (report->count(env)) BOOST_TEST(report->at(env) == "${{steps." + id + ".outputs.result}}");
    }
    BOOST_TEST(report->at("with.runners") == runners);
}

BOOST_AUTO_TEST_CASE(the_steps_score_the_reference_full_and_the_stubs_zero) {
    const std::vector<Step> steps = grader_steps(parse(read_file(workflow_file)));
    BOOST_TEST_REQUIRE(!steps.empty());
    int maximum = 0, reference = 0, stubs = 0;
    for (const Step& s : steps) {
        const std::string command = s.at("with.command");
        const int points = std::stoi(s.at("with.max-score"));
        maximum += points;
        // ./grade builds the grader, then runs it with the same arguments: run the built grader.
        const std::string local = "cd '" + source_dir.string() + "' && CELAB_ROOT='" + source_dir.string() + "' '" +
                                  CELAB_GRADER_PROGRAM + "'" + command.substr(std::string("./grade").size());
        std::string output;
        const int on_reference = run_status(local + " --submission solutions", output);
        BOOST_TEST(on_reference == 0, command << " on the reference:\n" << output);
        reference += on_reference == 0 ? points : 0;
        const int on_stubs = run_status(local + " --submission exercises", output);
        BOOST_TEST(on_stubs == 1, command << " on the stubs:\n" << output);
        stubs += on_stubs == 0 ? points : 0;
    }
    BOOST_TEST_MESSAGE("GitHub Classroom points: reference " << reference << "/" << maximum << ", stubs " << stubs << "/"
                                                             << maximum);
    BOOST_TEST(reference == maximum);
    BOOST_TEST(stubs == 0);
}
