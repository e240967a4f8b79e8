#include "test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>

namespace kehu::http::testing {
namespace {

int ConnectTo(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string RawResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

TestClient::TestClient(uint16_t port) : fd_(ConnectTo(port)) {}

TestClient::~TestClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool TestClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

long TestClient::ReadMore(int timeout_ms) {
  pollfd pfd{.fd = fd_, .events = POLLIN, .revents = 0};
  int ready = ::poll(&pfd, 1, timeout_ms);
  if (ready <= 0) return -1;
  char chunk[16384];
  ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n < 0) return errno == ECONNRESET ? 0 : -1;
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return n;
}

std::optional<RawResponse> TestClient::ReadResponse(bool head_request, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto remaining_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<int64_t>(0, left.count()));
  };
  std::size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (ReadMore(remaining_ms()) <= 0) return std::nullopt;
  }
  RawResponse response;
  std::string_view head(buffer_.data(), header_end);
  std::size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") return std::nullopt;
  response.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  while (line_end != std::string_view::npos) {
    std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    std::string_view line = head.substr(
        start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    response.headers.emplace_back(Lower(std::string(line.substr(0, colon))), std::string(value));
  }
  buffer_.erase(0, header_end + 4);

  bool no_body =
      head_request || response.status < 200 || response.status == 204 || response.status == 304;
  if (no_body) return response;
  std::string length = response.Header("content-length");
  if (!length.empty()) {
    std::size_t want = std::stoul(length);
    while (buffer_.size() < want) {
      if (ReadMore(remaining_ms()) <= 0) return std::nullopt;
    }
    response.body = buffer_.substr(0, want);
    buffer_.erase(0, want);
    return response;
  }
  // No length: the body runs to the end of the stream.
  for (;;) {
    long n = ReadMore(remaining_ms());
    if (n == 0) break;
    if (n < 0) return std::nullopt;
  }
  response.body = std::move(buffer_);
  buffer_.clear();
  return response;
}

bool TestClient::WaitForClose(int timeout_ms) {
  std::size_t before = buffer_.size();
  long n = ReadMore(timeout_ms);
  return n == 0 && buffer_.size() == before;
}

bool ConnectRefused(uint16_t port) {
  int fd = ConnectTo(port);
  if (fd < 0) return true;
  ::close(fd);
  return false;
}

}  // namespace kehu::http::testing
