// ./course gradescope: options, then the bundle. See gradescope_command.hpp.
#include "gradescope_command.hpp"

#include "bundle.hpp"
#include "locations.hpp"

#include <boost/program_options.hpp>

#include <ostream>

namespace celab::course::cli {

int gradescope_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    namespace po = boost::program_options;
    std::string zip;
    std::vector<std::string> cases;
    std::string hidden = "after_published";
    po::options_description options(
        "Usage: ./course gradescope OUT.zip [--cases DIR]...\n\nWrites the Gradescope autograder zip: setup.sh, "
        "run_autograder and this celab folder with your case folders (docs/gradescope-and-classroom.md).\n\nOptions");
    // clang-format off
    options.add_options()
        ("help,h", "show this help and exit")
        ("cases,c", po::value(&cases)->value_name("DIR"), "add the case files (*.json) in DIR, usually hidden ones (repeatable)")
        ("hidden", po::value(&hidden)->value_name("MODE"), "how Gradescope shows hidden cases: after_published (default: tests of their own, "
                                                           "shown with the total score once you publish grades) or visible (inside the visible "
                                                           "tests, name and verdict only; students see their total at once)");
    // clang-format on
    po::options_description all = options;
    all.add_options()("out", po::value(&zip));
    po::positional_options_description positional;
    positional.add("out", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        err << "course gradescope: " << e.what() << "\nRun ./course gradescope --help for the options.\n";
        return 2;
    }
    if (vm.count("help")) {
        out << options << "\nExit status: 0 the zip was written, 2 bad usage or bad case files (nothing written).\n";
        return 0;
    }
    if (zip.empty()) {
        err << "course gradescope: give the zip to write, e.g. ./course gradescope autograder.zip --cases hidden-cases\n";
        return 2;
    }
    BundleOptions o;
    o.out_zip = zip;
    o.case_dirs.assign(cases.begin(), cases.end());
    o.hidden = hidden;
    o.source_root = grader::locations::source_root();
    if (o.source_root.empty()) {
        err << "course gradescope: cannot find the celab folder above this program; run it through ./course\n";
        return 2;
    }
    return make_gradescope_bundle(o, err);
}

}  // namespace celab::course::cli
