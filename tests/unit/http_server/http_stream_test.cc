// Streaming responses (StreamChannel in http/message.h): chunks pushed from any thread reach the
// client in order, the stream ends when the producer closes it or the server stops, a client
// that goes away closes the channel, and a heartbeat fills silences.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "http/server.h"
#include "test_client.h"

namespace kehu::http {
namespace {

using testing::kWaitMs;

// A raw socket that reads until it has seen a given text (bounded by kWaitMs).
class StreamClient {
 public:
  explicit StreamClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~StreamClient() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool Send(const std::string& s) {
    return fd_ >= 0 &&
           ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }
  // Reads until `text` appears after what was already consumed; false on close or timeout.
  bool ReadUntil(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
    while (data_.find(text) == std::string::npos) {
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now())
                                      .count());
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, left) <= 0) return false;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return data_.find(text) != std::string::npos;
      data_.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  // True when the server closes the connection within kWaitMs.
  bool WaitClosed() {
    pollfd p{fd_, POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
    while (std::chrono::steady_clock::now() < deadline) {
      if (::poll(&p, 1, kWaitMs) <= 0) return false;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
      data_.append(buf, static_cast<size_t>(n));
    }
    return false;
  }
  const std::string& data() const { return data_; }

 private:
  int fd_ = -1;
  std::string data_;
};

struct Fixture {
  std::mutex mu;
  std::shared_ptr<StreamChannel> channel;
  std::promise<void> opened;
  int heartbeat_seconds = 15;

  Handler MakeHandler() {
    return [this](Request& req) {
      if (req.path != "/stream") return Response{.status = 200, .body = "plain"};
      Response r;
      r.content_type = "text/event-stream";
      r.stream = std::make_shared<StreamChannel>();
      r.stream_heartbeat = ": hb\n\n";
      r.stream_heartbeat_seconds = heartbeat_seconds;
      {
        std::lock_guard lock(mu);
        channel = r.stream;
      }
      opened.set_value();
      return r;
    };
  }
  std::shared_ptr<StreamChannel> WaitChannel() {
    if (opened.get_future().wait_for(std::chrono::milliseconds(kWaitMs)) !=
        std::future_status::ready)
      return nullptr;
    std::lock_guard lock(mu);
    return channel;
  }
};

ServerOptions Options() {
  return ServerOptions{.host = "127.0.0.1",
                       .port = 0,
                       .io_threads = 1,
                       .worker_threads = 2,
                       .header_timeout_seconds = 30,
                       .idle_timeout_seconds = 30,
                       .shutdown_grace_seconds = 30};
}

TEST(HttpStream, ChunksPushedFromAnotherThreadArriveInOrderAndCloseEndsTheResponse) {
  Fixture f;
  Server server(Options(), f.MakeHandler());
  ASSERT_TRUE(server.Start(nullptr));
  StreamClient c(server.port());
  ASSERT_TRUE(c.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto ch = f.WaitChannel();
  ASSERT_TRUE(ch);
  ASSERT_TRUE(c.ReadUntil("\r\n\r\n"));
  EXPECT_NE(c.data().find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(c.data().find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_NE(c.data().find("text/event-stream"), std::string::npos);
  std::thread producer([ch] {
    for (int k = 0; k < 100; ++k) ch->Push("data: " + std::to_string(k) + "\n\n");
    ch->Close();
  });
  producer.join();
  ASSERT_TRUE(c.ReadUntil("\r\n0\r\n\r\n"));  // the last chunk
  size_t pos = 0;
  for (int k = 0; k < 100; ++k) {
    size_t at = c.data().find("data: " + std::to_string(k) + "\n\n", pos);
    ASSERT_NE(at, std::string::npos) << k;
    pos = at;
  }
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_FALSE(ch->Push("late"));
}

TEST(HttpStream, StopEndsAnOpenStreamCleanly) {
  Fixture f;
  auto server = std::make_unique<Server>(Options(), f.MakeHandler());
  ASSERT_TRUE(server->Start(nullptr));
  StreamClient c(server->port());
  ASSERT_TRUE(c.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto ch = f.WaitChannel();
  ASSERT_TRUE(ch);
  ASSERT_TRUE(ch->Push("data: hello\n\n"));
  ASSERT_TRUE(c.ReadUntil("data: hello"));
  auto stopped = std::async(std::launch::async, [&] { server->Stop(); });
  ASSERT_EQ(stopped.wait_for(std::chrono::milliseconds(kWaitMs)), std::future_status::ready);
  EXPECT_TRUE(c.ReadUntil("\r\n0\r\n\r\n"));
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_TRUE(ch->closed());
}

TEST(HttpStream, ClientGoingAwayClosesTheChannel) {
  Fixture f;
  Server server(Options(), f.MakeHandler());
  ASSERT_TRUE(server.Start(nullptr));
  auto c = std::make_unique<StreamClient>(server.port());
  ASSERT_TRUE(c->Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto ch = f.WaitChannel();
  ASSERT_TRUE(ch);
  ASSERT_TRUE(c->ReadUntil("\r\n\r\n"));
  c.reset();
  // The server notices on its next writes (the first may still land in the kernel's buffer).
  bool closed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    closed = !ch->Push(std::string(8192, 'x'));
    if (!closed) std::this_thread::yield();
  }
  EXPECT_TRUE(closed);
}

TEST(HttpStream, HeartbeatFillsSilence) {
  Fixture f;
  f.heartbeat_seconds = 1;
  Server server(Options(), f.MakeHandler());
  ASSERT_TRUE(server.Start(nullptr));
  StreamClient c(server.port());
  ASSERT_TRUE(c.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(f.WaitChannel());
  EXPECT_TRUE(c.ReadUntil(": hb\n\n"));
}

TEST(HttpStream, OtherResponsesOnTheServerAreUnchanged) {
  Fixture f;
  Server server(Options(), f.MakeHandler());
  ASSERT_TRUE(server.Start(nullptr));
  StreamClient c(server.port());
  ASSERT_TRUE(c.Send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.ReadUntil("plain"));
  EXPECT_NE(c.data().find("Content-Length: 5"), std::string::npos);
}

}  // namespace
}  // namespace kehu::http
