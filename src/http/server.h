#pragma once
// The HTTP/1.1 server: Boost.Beast + Asio with C++20 coroutines, one io_context per thread
// bound with SO_REUSEPORT, keep-alive, a body limit, header and idle timeouts, and a graceful
// stop that finishes in-flight requests. The handler is plain C++ (no Beast types) and may
// block: the server runs it on a separate worker pool and co_awaits the result, so database
// calls and password hashing never stall the I/O threads.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/message.h"

namespace kehu::http {

struct ServerOptions {
  std::string host{"127.0.0.1"};
  uint16_t port{8080};              // 0 picks a free port; see Server::port()
  int io_threads{0};                // 0: one per core
  int worker_threads{0};            // 0: 4 per core, at least 8
  uint64_t body_limit{1 << 20};     // bytes; larger bodies are answered 413 problem+json
  int header_timeout_seconds{10};   // time to receive a request's headers
  int idle_timeout_seconds{60};     // keep-alive idle time before the server closes
  int shutdown_grace_seconds{20};   // max time Stop() waits for in-flight requests
};

using Handler = std::function<Response(Request&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving in background threads. Returns false with a message in *error when
  // the address cannot be bound.
  bool Start(std::string* error);
  // The bound port (useful when options.port was 0).
  uint16_t port() const;
  // Stops accepting, lets in-flight requests finish (up to shutdown_grace_seconds), then returns.
  void Stop();
  // Blocks until SIGINT or SIGTERM arrives, then calls Stop().
  void RunUntilSignal();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kehu::http
