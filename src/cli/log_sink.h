#pragma once
// The server's log sink: lines are appended to a memory buffer, and a thread of the sink writes
// full buffers (64 KiB), or whatever is there when flushed (every second, and at once for
// warnings), to a file descriptor. A thread that logs never makes a system call for it, and never
// waits for the disk: spdlog's stderr sink wrote (and flushed) each line, and a stdio buffer
// filled by the I/O threads wrote from whichever thread filled it, holding the sink's lock, so a
// disk slowed by a checkpoint's writeback stopped every connection of both I/O threads for up to
// half a second. Loggers wait only when more than kMaxPending bytes are waiting to be written.
// Lines still in memory when the process is killed are lost (data never is); the sink's
// destructor writes everything.

#include <spdlog/sinks/base_sink.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace kehu::cli {

class BufferedLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BufferedLogSink(int fd = 2);
  ~BufferedLogSink() override;
  BufferedLogSink(const BufferedLogSink&) = delete;
  BufferedLogSink& operator=(const BufferedLogSink&) = delete;

  static constexpr size_t kChunk = 64 << 10;
  static constexpr size_t kMaxPending = 16 << 20;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  void HandOver();  // under base_sink's mutex: current_ to the writer
  void WriteLoop();

  const int fd_;
  std::string current_;  // guarded by base_sink's mutex
  std::mutex mu_;        // guards the fields below (taken after base_sink's, never before)
  std::condition_variable wake_;   // the writer: something to write, or stop
  std::condition_variable space_;  // loggers: pending_bytes_ fell below kMaxPending
  std::deque<std::string> pending_;
  size_t pending_bytes_{0};
  bool stop_{false};
  std::thread writer_;
};

}  // namespace kehu::cli
