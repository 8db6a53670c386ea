#include "engine/domain/thread_name.h"

#include <pthread.h>

#include <string>

namespace sundial {

void nameThisThread(std::string_view name) {
  constexpr std::size_t kMaxNameBytes = 15;  // TASK_COMM_LEN without its NUL
  std::string cut(name.substr(0, kMaxNameBytes));
  ::pthread_setname_np(::pthread_self(), cut.c_str());
}

}  // namespace sundial
