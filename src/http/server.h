#pragma once
// The HTTP/1.1 server: Boost.Beast + Asio with C++20 coroutines, one io_context per thread
// bound with SO_REUSEPORT, keep-alive, a body limit, header and idle timeouts, and a graceful
// stop that finishes in-flight requests. The handler is plain C++ (no Beast types) and may
// block: the server runs it on a separate worker pool and co_awaits the result, so database
// calls and password hashing never stall the I/O threads. Requests the options mark may instead
// run on the I/O thread (run_inline: microsecond reads) or be handed to handle_async, which
// answers later from another thread without a worker waiting for it.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/message.h"

namespace kehu::http {

struct ServerOptions {
  std::string host{"127.0.0.1"};
  uint16_t port{8080};              // 0 picks a free port; see Server::port()
  int io_threads{0};                // 0: one per core
  int worker_threads{0};            // 0: 32 per core, at least 64
  uint64_t body_limit{1 << 20};     // bytes; larger bodies are answered 413 problem+json
  // Request paths (exact) that accept bodies up to large_body_limit instead (file uploads).
  std::vector<std::string> large_body_paths{};
  uint64_t large_body_limit{64ULL << 20};
  int header_timeout_seconds{10};   // time to receive a request's headers
  int idle_timeout_seconds{60};     // keep-alive idle time before the server closes
  int shutdown_grace_seconds{20};   // max time Stop() waits for in-flight requests
  // When set and true for a request, its handler runs on the I/O thread that read it, with no
  // hop to the worker pool and back. Only for handlers that finish in microseconds and never
  // wait (see Api::RunsInline); everything else keeps to the pool.
  std::function<bool(Request&)> run_inline{};
  // When both are set and run_async is true for a request, the I/O thread that read it calls
  // handle_async(request, resume) and goes on serving other connections meanwhile. handle_async
  // must return at once (it may only start work elsewhere, such as a database write that
  // completes on the writer's thread) and call resume exactly once, from any thread, with a
  // function that makes the response; the server runs that function on the request's I/O thread
  // and sends what it returns. No worker thread waits for it (see Api::RunsAsync).
  using Resume = std::function<void(std::function<Response()>)>;
  std::function<bool(Request&)> run_async{};
  std::function<void(Request&, Resume)> handle_async{};
};

using Handler = std::function<Response(Request&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving in background threads. Returns false with a message in *error (when
  // error is not null) if the host cannot be resolved, the address cannot be bound, a timeout
  // option is not positive, or the server was already started or stopped (no restart).
  // Protocol answers made by the server itself, all application/problem+json and followed by
  // closing the connection: 400 malformed request, 413 body over body_limit, 431 request line +
  // headers over 16 KiB; 500 when the handler throws (logged; the connection stays usable); 404
  // when Response::file_path cannot be opened as a regular file.
  // Every acceptor uses SO_REUSEPORT, so another process of the same user listening with
  // SO_REUSEPORT on the same port would share it instead of making Start() fail.
  bool Start(std::string* error);
  // The bound port (useful when options.port was 0).
  uint16_t port() const;
  // Stops accepting, lets in-flight requests finish (up to shutdown_grace_seconds), then returns.
  // Idle keep-alive connections are closed at once; a connection whose request is being read or
  // handled gets its response with "Connection: close". After the grace period the remaining
  // connections are dropped, but a handler still running is waited for (threads are joined).
  // Idempotent; called by the destructor. Must not be called from inside the handler.
  void Stop();
  // Blocks until SIGINT or SIGTERM arrives, then calls Stop(). Also returns (after Stop()
  // completes) when Stop() is called from another thread.
  void RunUntilSignal();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kehu::http
