// BufferedLogSink: every line from every thread reaches the file, each thread's in order; a
// flush writes without waiting for the buffer to fill; nothing is left in memory at the end.

#include "cli/log_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace kehu::cli {
namespace {

class LogSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("kehu-log-sink-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
    std::filesystem::remove(path_);
  }
  std::string Contents() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::filesystem::path path_;
  int fd_{-1};
};

TEST_F(LogSinkTest, EveryLineOfEveryThreadArrivesInOrder) {
  constexpr int kThreads = 4, kLines = 20000;  // ~1.5 MB: many 64 KiB hand-overs
  {
    auto sink = std::make_shared<BufferedLogSink>(fd_);
    spdlog::logger logger("t", sink);
    logger.set_pattern("%v");
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kLines; ++i) logger.info("t={} i={} access method=GET path=/api/v1/customers/{}", t, i, i);
      });
    for (auto& th : threads) th.join();
  }  // the sink's destructor writes what is left
  std::istringstream lines(Contents());
  std::map<int, int> next;
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    int t = -1, i = -1;
    ASSERT_EQ(std::sscanf(line.c_str(), "t=%d i=%d", &t, &i), 2) << line;
    ASSERT_EQ(i, next[t]) << "thread " << t;
    next[t] = i + 1;
    ++count;
  }
  EXPECT_EQ(count, kThreads * kLines);
}

TEST_F(LogSinkTest, AFlushWritesWithoutWaitingForAFullBuffer) {
  auto sink = std::make_shared<BufferedLogSink>(fd_);
  spdlog::logger logger("t", sink);
  logger.set_pattern("%v");
  logger.info("one short line");
  EXPECT_EQ(Contents(), "");  // held in memory
  logger.flush();
  std::string got;
  for (int i = 0; i < 500 && (got = Contents()).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(got, "one short line\n");
}

}  // namespace
}  // namespace kehu::cli
