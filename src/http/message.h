#pragma once
// Plain request/response values passed between the Beast server (server.cc, the only file that
// includes Beast/Asio) and everything else in http/ (router, middleware, handlers).

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kehu::http {

struct Request {
  std::string method{};       // "GET", "POST", ...
  std::string target{};       // raw request target: "/api/v1/customers?q=%E7%8E%8B"
  std::string path{};         // decoded-free path part of the target: "/api/v1/customers"
  std::string query{};        // raw query string without '?': "q=%E7%8E%8B"
  std::vector<std::pair<std::string, std::string>> headers{};  // names lower-cased
  std::string body{};
  std::string remote_addr{};  // peer IP address, e.g. "127.0.0.1"
  int route_index{-1};        // the API route table entry matched for it, once matched (api.cc)

  // First header with this lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return v;
    return {};
  }
};

// A response body produced over time (Server-Sent Events and other streams). A handler returns a
// Response whose `stream` is set; the server sends the status and headers, then writes every
// chunk pushed here (HTTP/1.1 chunked encoding), writes Response::stream_heartbeat after
// stream_heartbeat_seconds without a chunk, and ends the response when the channel is closed or
// the server stops. When the client goes away the server closes the channel, so a producer's
// Push() returns false. Thread-safe: producers push from any thread.
class StreamChannel {
 public:
  static constexpr size_t kMaxQueued = 1000;  // a client this far behind is dropped

  // Queues a chunk; false when the channel is closed (or the client is too far behind).
  bool Push(std::string chunk) {
    std::function<void()> wake;
    {
      std::lock_guard lock(mu_);
      if (closed_) return false;
      if (queue_.size() >= kMaxQueued) {
        closed_ = true;
      } else {
        queue_.push_back(std::move(chunk));
      }
      wake = waker_;
    }
    if (wake) wake();
    return !closed();
  }
  // Ends the stream after the queued chunks.
  void Close() {
    std::function<void()> wake;
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      wake = waker_;
    }
    if (wake) wake();
  }
  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

  // Server side: takes the queued chunks; *closed tells whether the producer closed.
  std::vector<std::string> Drain(bool* closed) {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    out.swap(queue_);
    *closed = closed_;
    return out;
  }
  // Server side: called (from the pushing thread) after each Push or Close.
  void SetWaker(std::function<void()> waker) {
    std::lock_guard lock(mu_);
    waker_ = std::move(waker);
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> queue_;
  bool closed_ = false;
  std::function<void()> waker_;
};

struct Response {
  int status{200};
  std::string content_type{"application/json"};
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  // When set, the server streams this file instead of body (static assets).
  std::string file_path{};
  // When set, the server streams the channel's chunks instead of body (see StreamChannel); the
  // connection closes when the stream ends.
  std::shared_ptr<StreamChannel> stream{};
  std::string stream_heartbeat{};   // written after stream_heartbeat_seconds of silence
  int stream_heartbeat_seconds{15};

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

}  // namespace kehu::http
