#include "manifest.hpp"

#include <nlohmann/json.hpp>

#include <fnmatch.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

namespace celab::course::release {

namespace fs = std::filesystem;
using nlohmann::json;

Manifest load(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw ManifestError(file.string() + ": cannot read the release manifest");
    Manifest m;
    m.file = file;
    json doc;
    try {
        doc = json::parse(in);
    } catch (const json::exception& e) {
        throw ManifestError(file.string() + ": not valid JSON (" + e.what() + "); fix the syntax");
    }
    const auto where = [&](const std::string& field) { return file.string() + ": field \"" + field + "\": "; };
    if (!doc.is_object() || !doc.contains("rules") || !doc["rules"].is_array())
        throw ManifestError(where("rules") + "missing; give a list of {\"files\": GLOB, \"students\": true|false}");
    for (std::size_t i = 0; i < doc["rules"].size(); ++i) {
        const json& r = doc["rules"][i];
        const std::string at = "rules[" + std::to_string(i) + "]";
        if (!r.is_object() || !r.contains("files") || !r["files"].is_string() || !r.contains("students") ||
            !r["students"].is_boolean())
            throw ManifestError(where(at) + "must be {\"files\": GLOB, \"students\": true|false}");
        m.rules.push_back({r["files"].get<std::string>(), r["students"].get<bool>()});
    }
    if (doc.contains("replaced")) {
        if (!doc["replaced"].is_object())
            throw ManifestError(where("replaced") + "must map a path of the release to a file of the checkout");
        for (const auto& [to, from] : doc["replaced"].items()) {
            if (!from.is_string()) throw ManifestError(where("replaced." + to) + "must be a path of the checkout");
            m.replaced[to] = from.get<std::string>();
        }
    }
    return m;
}

std::vector<std::string> checkout_files(const fs::path& root) {
    std::vector<std::string> files;
    if (fs::exists(root / ".git")) {
        const std::string command = "git -C '" + root.string() + "' ls-files -z 2>/dev/null";
        std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
        if (pipe) {
            std::string name;
            for (int ch; (ch = std::fgetc(pipe.get())) != EOF;) {
                if (ch != 0) {
                    name.push_back(static_cast<char>(ch));
                    continue;
                }
                if (fs::is_regular_file(root / name)) files.push_back(name);  // not deleted in the work tree
                name.clear();
            }
            if (!files.empty()) return files;
        }
    }
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        const std::string rel = fs::relative(it->path(), root).generic_string();
        const std::string first = rel.substr(0, rel.find('/'));
        if (it->is_directory() && (first == ".git" || first.rfind("build", 0) == 0)) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file()) files.push_back(rel);
    }
    return files;
}

std::vector<std::string> student_files(const Manifest& m, const std::vector<std::string>& files) {
    std::vector<std::string> out, undecided;
    for (const std::string& f : files) {
        const Rule* rule = nullptr;
        for (const Rule& r : m.rules)
            if (fnmatch(r.glob.c_str(), f.c_str(), 0) == 0) {
                rule = &r;
                break;
            }
        if (rule == nullptr) undecided.push_back(f);
        else if (rule->student && m.replaced.count(f) == 0) out.push_back(f);
    }
    if (!undecided.empty()) {
        std::ostringstream msg;
        msg << m.file.string() << ": no rule decides whether students get " << undecided.size() << " file(s):";
        for (const std::string& f : undecided) msg << "\n  " << f;
        msg << "\nadd a rule {\"files\": \"PATH\", \"students\": true|false} for each (first match wins)";
        throw ManifestError(msg.str());
    }
    return out;
}

}  // namespace celab::course::release
