// Reading and writing whole files from a test.
#pragma once

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace celab::test {

// The bytes of `file`; empty when it cannot be read (a test that needs it to exist says so itself, or
// uses read_existing_file).
inline std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The bytes of `file`, which must be readable: the test stops here when it is not.
inline std::string read_existing_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "cannot read " << file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes `text` to `file` (binary), making its folder first.
inline void write_file(const std::filesystem::path& file, const std::string& text) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

}  // namespace celab::test
