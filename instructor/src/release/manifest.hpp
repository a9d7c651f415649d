// What a student release holds: instructor/release/manifest.json decides, for every file of the
// checkout, whether students get it. Its rules are tried in order and the first whose glob matches the
// file's path decides; a file no rule matches stops ./course release, so that a new file forces a
// decision. "replaced" lists files of the release written from another file of the checkout (the
// student README, the release's tests, the Classroom workflow).
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace celab::course::release {

struct Rule {
    std::string glob;  // fnmatch(3) pattern on the path from the checkout root; * also matches '/'
    bool student = false;
};

struct Manifest {
    std::filesystem::path file;
    std::vector<Rule> rules;
    std::map<std::string, std::string> replaced;  // release path -> checkout path
};

class ManifestError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Reads and validates the manifest (ManifestError: file, field, fix).
Manifest load(const std::filesystem::path& file);

// The checkout's files, relative to `root`: `git ls-files` when it is a git checkout, else every file
// outside build trees (build*/) and .git.
std::vector<std::string> checkout_files(const std::filesystem::path& root);

// The files students get, in order; throws ManifestError naming every file no rule decides.
std::vector<std::string> student_files(const Manifest& m, const std::vector<std::string>& files);

}  // namespace celab::course::release
