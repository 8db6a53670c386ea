#pragma once
// Names the calling thread as the kernel shows it (top -H, ps -L, perf, gdb): "sundial" for
// every thread tells an operator nothing about which part is busy or stuck.

#include <string_view>

namespace sundial {

// Linux keeps 15 bytes: longer names are cut. Harmless to call twice.
void nameThisThread(std::string_view name);

}  // namespace sundial
