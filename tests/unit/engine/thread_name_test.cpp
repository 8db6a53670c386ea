// nameThisThread: what top -H and perf show for a thread.

#include "engine/domain/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace sundial {
namespace {

std::string nameOf(pthread_t thread) {
  char name[32] = {};
  pthread_getname_np(thread, name, sizeof name);
  return name;
}

TEST(ThreadNameTest, NamesTheCallingThreadOnly) {
  const std::string before = nameOf(pthread_self());
  std::string seen;
  std::thread worker([&seen] {
    nameThisThread("fwd ARCHIVE");
    seen = nameOf(pthread_self());
  });
  worker.join();
  EXPECT_EQ(seen, "fwd ARCHIVE");
  EXPECT_EQ(nameOf(pthread_self()), before);
}

TEST(ThreadNameTest, ALongNameIsCutToWhatLinuxKeeps) {
  std::string seen;
  std::thread worker([&seen] {
    nameThisThread("fwd A_VERY_LONG_DESTINATION_NAME");
    seen = nameOf(pthread_self());
  });
  worker.join();
  EXPECT_EQ(seen, "fwd A_VERY_LONG");  // 15 bytes
}

}  // namespace
}  // namespace sundial
