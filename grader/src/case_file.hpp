// Test cases as data: loading and validating JSON case files (format: docs/instructors.md).
//
// One file holds the cases of one exercise. Everything is checked before anything runs; a
// problem is a LoadError whose message says where and how to fix it:
//   FILE: case "NAME": field "FIELD": PROBLEM; HOW TO FIX      (parts that do not apply omitted)
// Generated cases ("generate" blocks) are expanded here, from `seed` (generate.hpp).
#pragma once

#include "model.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace celab::grader::cases {

class LoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The cases of one file, in file order (a generated case expands in place to NAME#1..NAME#K).
// Case::file is `file` as given.
std::vector<Case> load_file(const std::filesystem::path& file, unsigned long long seed);

// The same from JSON text; `label` names the source in messages and in Case::file.
std::vector<Case> load_text(const std::string& text, const std::string& label, unsigned long long seed);

// Every *.json in each folder (sorted by name; not recursive), folders in the order given.
// A folder that does not exist or holds no *.json is a LoadError, and so is the same
// (exercise, case name) in two files (the message names both).
std::vector<Case> load_dirs(const std::vector<std::filesystem::path>& dirs, unsigned long long seed);

}  // namespace celab::grader::cases
