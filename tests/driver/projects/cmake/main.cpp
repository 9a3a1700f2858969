#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "strbuf.h"

int main() {
    std::map<std::string, std::vector<int>> m;
    for (int i = 0; i < 300; i++)
        m["k" + std::to_string(i % 17)].push_back(i);
    strbuf b = {nullptr, 0, 0};
    for (auto &kv : m)
        strbuf_append(&b, kv.first.c_str());
    int *raw = static_cast<int *>(std::malloc(64 * sizeof(int)));
    if (!raw)
        return 1;
    std::free(raw);
    bool ok = m.size() == 17 && m["k0"].size() == 18 && b.len > 0;
    strbuf_release(&b);
    std::printf("demo_cxx: %s\n", ok ? "ok" : "wrong");
    return ok ? 0 : 1;
}
