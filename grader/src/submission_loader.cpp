#include "submission_loader.hpp"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace celab::grader {

namespace {
std::string last_dl_error() {
    const char* text = ::dlerror();
    return text != nullptr ? text : "unknown dynamic loader error";
}
}  // namespace

const abi::SubmissionTable& load_submission(const std::filesystem::path& library) {
    const std::string where = "cannot load submission library " + library.string() + ": ";
    ::dlerror();  // clear a stale error
    void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        throw std::runtime_error(where + last_dl_error() + " (rebuild the submission; see the build errors)");
    }
    ::dlerror();
    void* symbol = ::dlsym(handle, abi::entry_symbol);
    if (symbol == nullptr) {
        throw std::runtime_error(where + "no symbol " + abi::entry_symbol + ": " + last_dl_error() +
                                 " (a submission library must be linked with grader/abi/entry.cpp)");
    }
    const auto entry = reinterpret_cast<celab_submission_table_fn>(symbol);
    const abi::SubmissionTable* table = entry();
    if (table == nullptr) throw std::runtime_error(where + std::string(abi::entry_symbol) + " returned null");
    if (table->version != abi::version) {
        throw std::runtime_error(where + "ABI version " + std::to_string(table->version) + ", the grader expects " +
                                 std::to_string(abi::version) + " (rebuild it with this grader's entry.cpp)");
    }
    return *table;
}

}  // namespace celab::grader
