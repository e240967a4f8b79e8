#pragma once
// A deliberately dumb HTTP/1.1 client over POSIX sockets for the server tests: it writes exactly
// the bytes a test gives it and parses responses just enough to check them, so the tests do not
// depend on Beast (and stay cheap to compile). Every wait is bounded by poll() so a broken server
// fails a test instead of hanging it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kehu::http::testing {

// Generous bound for waits on events that normally take microseconds.
inline constexpr int kWaitMs = 10000;

struct RawResponse {
  int status{0};
  std::vector<std::pair<std::string, std::string>> headers{};  // names lower-cased
  std::string body{};

  // First header with this lower-case name, or "" when absent.
  std::string Header(std::string_view lower_name) const;
};

class TestClient {
 public:
  // Connects to 127.0.0.1:port; connected() tells whether it worked.
  explicit TestClient(uint16_t port);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Writes all of `bytes`; false when the connection fails.
  bool Send(std::string_view bytes);
  // Reads one response (status line, headers, and a body framed by Content-Length or by the end
  // of the stream; none for HEAD when head_request is set, nor for 1xx/204/304). nullopt when the
  // connection closes or nothing complete arrives within timeout_ms.
  std::optional<RawResponse> ReadResponse(bool head_request = false, int timeout_ms = kWaitMs);
  // True when the server closes the connection (end of stream or reset) within timeout_ms with no
  // further bytes; false on timeout or when more data arrives.
  bool WaitForClose(int timeout_ms = kWaitMs);

 private:
  // Appends whatever arrives within timeout_ms; returns bytes read, 0 on close, -1 on timeout
  // or error.
  long ReadMore(int timeout_ms);

  int fd_{-1};
  std::string buffer_{};
};

// True when nothing accepts TCP connections on 127.0.0.1:port.
bool ConnectRefused(uint16_t port);

}  // namespace kehu::http::testing
