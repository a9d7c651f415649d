#include "hint_text.hpp"

#include <cctype>
#include <sstream>

namespace celab::grader::hint_text {

namespace {

// The group starting at `at` ({...} or one character); `at` moves past it.
std::string group(const std::string& tex, std::size_t& at) {
    if (at >= tex.size()) return "";
    if (tex[at] != '{') return std::string(1, tex[at++]);
    int depth = 0;
    const std::size_t begin = at;
    for (; at < tex.size(); ++at) {
        if (tex[at] == '{') ++depth;
        else if (tex[at] == '}' && --depth == 0) break;
    }
    const std::string inner = tex.substr(begin + 1, at - begin - 1);
    if (at < tex.size()) ++at;
    return inner;
}

bool simple(const std::string& text) {
    for (const char c : text)
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    return true;
}

}  // namespace

std::string math(const std::string& tex) {
    static const std::pair<const char*, const char*> symbols[] = {
        {"le", "<="},    {"leq", "<="},   {"ge", ">="},       {"geq", ">="},    {"ne", "!="},    {"neq", "!="},
        {"infty", "inf"}, {"cdot", "*"},  {"times", "x"},     {"langle", "<"},  {"rangle", ">"}, {"partial", "d"},
        {"varepsilon", "eps"}, {"epsilon", "eps"}, {"ell", "l"}, {"to", "->"}, {"approx", "~"}, {"in", "in"},
        {"sum", "sum"},  {"log", "log"},  {"max", "max"},     {"min", "min"},   {"exp", "exp"},  {"quad", "  "},
        {"lfloor", "floor("}, {"rfloor", ")"}, {"left", ""},  {"right", ""},    {"mid", "|"},    {"sqrt", "sqrt"},
    };
    std::string out;
    for (std::size_t at = 0; at < tex.size();) {
        const char c = tex[at];
        if (c == '\\') {
            ++at;
            if (at < tex.size() && !std::isalpha(static_cast<unsigned char>(tex[at]))) {  // \, \; \{ \}
                const char s = tex[at++];
                if (s == '{' || s == '}' || s == '|') out += s;
                else out += ' ';
                continue;
            }
            std::string command;
            while (at < tex.size() && std::isalpha(static_cast<unsigned char>(tex[at]))) command += tex[at++];
            if (command == "frac") {
                const std::string a = math(group(tex, at)), b = math(group(tex, at));
                out += (simple(a) ? a : "(" + a + ")") + "/" + (simple(b) ? b : "(" + b + ")");
                continue;
            }
            if (command == "mathrm" || command == "mathcal" || command == "mathbf" || command == "text" ||
                command == "operatorname" || command == "mathit") {
                out += math(group(tex, at));
                continue;
            }
            std::string word = command;
            for (const auto& [name, text] : symbols)
                if (command == name) word = text;
            out += word;
            continue;
        }
        if (c == '^' || c == '_') {
            ++at;
            const std::string inner = math(group(tex, at));
            out += c;
            out += simple(inner) ? inner : "(" + inner + ")";
            continue;
        }
        if (c == '{' || c == '}') {
            ++at;
            continue;
        }
        out += c;
        ++at;
    }
    return out;
}

std::string plain(const std::string& markdown) {
    std::istringstream in(markdown);
    std::string out;
    bool fenced = false;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("```", 0) == 0) {
            fenced = !fenced;
            continue;
        }
        if (fenced) {
            out += "    " + line + "\n";
            continue;
        }
        std::string text;
        for (std::size_t at = 0; at < line.size();) {
            const char c = line[at];
            if (c == '`') {  // code: kept as written
                const std::size_t end = line.find('`', at + 1);
                if (end == std::string::npos) {
                    ++at;
                    continue;
                }
                text += line.substr(at + 1, end - at - 1);
                at = end + 1;
                continue;
            }
            if (c == '$') {
                const std::size_t end = line.find('$', at + 1);
                if (end == std::string::npos) {
                    ++at;
                    continue;
                }
                text += math(line.substr(at + 1, end - at - 1));
                at = end + 1;
                continue;
            }
            if (line.compare(at, 2, "**") == 0) {
                at += 2;
                continue;
            }
            if (c == '[') {  // [text](link) -> text (link)
                const std::size_t close = line.find("](", at);
                const std::size_t end = close == std::string::npos ? close : line.find(')', close);
                if (end != std::string::npos) {
                    std::string label = plain(line.substr(at + 1, close - at - 1));
                    if (!label.empty() && label.back() == '\n') label.pop_back();
                    const std::string link = line.substr(close + 2, end - close - 2);
                    text += label;
                    // "[derivation.md](../derivation.md)" says the file once.
                    if (link.size() < label.size() || link.compare(link.size() - label.size(), label.size(), label) != 0)
                        text += " (" + link + ")";
                    at = end + 1;
                    continue;
                }
            }
            text += c;
            ++at;
        }
        out += text + "\n";
    }
    return out;
}

}  // namespace celab::grader::hint_text
