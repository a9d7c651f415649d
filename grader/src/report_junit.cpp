// The JUnit XML report, for CI dashboards:
//
//   <testsuites tests= failures= errors= skipped=>
//     <testsuite name="softmax" tests= failures= errors= skipped=>
//       <testcase classname="celab.softmax" name="values[tiny]">
//         <failure message="first line" type="fail">message + diagnosis</failure>
//       </testcase>
//       <system-out>the exercise's student output</system-out>
//     </testsuite>
//   </testsuites>
//
// fail -> <failure>; error, crash, timeout, not_implemented -> <error>; skipped -> <skipped/>.
// Boost.PropertyTree does the escaping; detail::printable removes what XML 1.0 cannot hold at all
// (control characters, invalid UTF-8). Hidden rows carry their verdict only.
#include "reports.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <ostream>
#include <vector>

namespace celab::grader::reports {

namespace {

namespace pt = boost::property_tree;

struct Counts {
    std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;

    void add(Status s) {
        ++tests;
        if (s == Status::fail) ++failures;
        else if (s == Status::skipped) ++skipped;
        else if (s != Status::pass) ++errors;
    }
    void put(pt::ptree& node) const {
        node.put("<xmlattr>.tests", tests);
        node.put("<xmlattr>.failures", failures);
        node.put("<xmlattr>.errors", errors);
        node.put("<xmlattr>.skipped", skipped);
    }
};

void add_outcome(pt::ptree& testcase, const CheckResult& row) {
    if (row.status == Status::pass) return;
    if (row.status == Status::skipped) {
        testcase.add_child("skipped", pt::ptree());
        return;
    }
    std::string summary = detail::status_phrase(row.status);
    std::string body;
    if (row.withheld()) {
        summary = "hidden case: " + summary;
    } else {
        if (!row.message.empty()) {
            summary += ": " + row.message.substr(0, row.message.find('\n'));
            body = row.message;
        }
        if (!row.diagnosis.empty()) body += (body.empty() ? "" : "\n") + std::string("Likely mistake: ") + row.diagnosis;
    }
    pt::ptree& outcome = testcase.add_child(row.status == Status::fail ? "failure" : "error", pt::ptree(detail::printable(body)));
    outcome.put("<xmlattr>.message", detail::printable(summary));
    outcome.put("<xmlattr>.type", name(row.status));
}

}  // namespace

void write_junit(std::ostream& out, const Report& report) {
    pt::ptree document;
    pt::ptree& suites = document.add_child("testsuites", pt::ptree());
    suites.put("<xmlattr>.name", "celab");
    Counts total;
    std::vector<pt::ptree> built;  // attributes of <testsuites> first, then its suites
    for (Exercise exercise : all_exercises()) {
        pt::ptree suite;
        suite.put("<xmlattr>.name", name(exercise));
        Counts counts;
        pt::ptree cases;
        for (const CheckResult& row : report.checks) {
            if (row.exercise != exercise) continue;
            counts.add(row.status);
            total.add(row.status);
            pt::ptree& testcase = cases.add_child("testcase", pt::ptree());
            testcase.put("<xmlattr>.classname", std::string("celab.") + name(exercise));
            testcase.put("<xmlattr>.name", detail::printable(row.check + "[" + row.case_name + "]"));
            add_outcome(testcase, row);
        }
        const std::string& output = detail::student_output(report, exercise);
        std::string compiler = detail::build_errors(report, exercise);
        const std::string& warnings = detail::build_warnings(report, exercise);
        if (!warnings.empty()) compiler += (compiler.empty() ? "" : "\n") + std::string("Compiler warnings:\n") + warnings;
        if (counts.tests == 0 && output.empty() && compiler.empty()) continue;
        counts.put(suite);
        for (auto& child : cases) suite.push_back(std::move(child));
        if (!output.empty()) suite.add_child("system-out", pt::ptree(detail::printable(output)));
        if (!compiler.empty()) suite.add_child("system-err", pt::ptree(detail::printable(compiler)));
        built.push_back(std::move(suite));
    }
    total.put(suites);
    for (pt::ptree& suite : built) suites.add_child("testsuite", std::move(suite));
    pt::write_xml(out, document, pt::xml_writer_make_settings<std::string>(' ', 2));
}

}  // namespace celab::grader::reports
