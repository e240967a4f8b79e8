#include "cli/log_sink.h"

#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

namespace kehu::cli {

BufferedLogSink::BufferedLogSink(int fd) : fd_(fd) {
  current_.reserve(kChunk);
  writer_ = std::thread([this] { WriteLoop(); });
}

BufferedLogSink::~BufferedLogSink() {
  {
    std::lock_guard lock(mu_);
    if (!current_.empty()) {  // nobody logs any more: base_sink's mutex is not needed
      pending_bytes_ += current_.size();
      pending_.push_back(std::move(current_));
    }
    stop_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

void BufferedLogSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  current_.append(formatted.data(), formatted.size());
  if (current_.size() >= kChunk) HandOver();
}

void BufferedLogSink::flush_() {
  if (!current_.empty()) HandOver();
}

void BufferedLogSink::HandOver() {
  std::unique_lock lock(mu_);
  space_.wait(lock, [&] { return pending_bytes_ < kMaxPending || stop_; });
  pending_bytes_ += current_.size();
  pending_.push_back(std::move(current_));
  current_ = std::string();
  current_.reserve(kChunk);
  lock.unlock();
  wake_.notify_one();
}

void BufferedLogSink::WriteLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return !pending_.empty() || stop_; });
    if (pending_.empty()) return;  // stopping, everything written
    std::vector<std::string> batch(std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
    pending_.clear();
    lock.unlock();
    size_t bytes = 0;
    for (const std::string& s : batch) {
      bytes += s.size();
      size_t done = 0;
      while (done < s.size()) {
        const ssize_t n = ::write(fd_, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // nowhere to write (a closed stderr): the lines are dropped
        done += static_cast<size_t>(n);
      }
    }
    lock.lock();
    pending_bytes_ -= bytes;
    space_.notify_all();
  }
}

}  // namespace kehu::cli
