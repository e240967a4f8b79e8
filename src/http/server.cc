// The only translation unit that includes Beast and Asio (they cost seconds of compile time per
// file). Layout: parsing helpers shared with the fuzz target, response writing, then the server.
//
// Threading: each I/O thread runs its own io_context with its own SO_REUSEPORT acceptor, so the
// kernel spreads connections and a session never changes thread. Everything a session touches
// (its stream, its slot in IoWorker::sessions) is used only on that thread, except the handler
// call, which hops to the worker pool and back.

#include "http/server.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "http/request_parse.h"

namespace kehu::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

using BeastParser = bhttp::request_parser<bhttp::string_body>;
using BeastRequest = bhttp::request<bhttp::string_body>;

// as_tuple: disconnects, timeouts and cancellation are normal on a server; they come back as an
// error_code instead of an exception thrown through the coroutine.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 8 * 1024;
// After an error answer (400/413/431) the client may still be sending. Closing with unread input
// makes the kernel send RST, which can destroy our answer before the client reads it, so the
// session drains input for a short, bounded while first (like nginx's lingering close).
constexpr int kLingerSeconds = 2;
constexpr std::size_t kLingerMaxBytes = 1 << 20;

void ConfigureParser(BeastParser& parser, uint64_t body_limit) {
  parser.header_limit(kRequestHeaderLimit);
  parser.body_limit(body_limit);
}

// Maps a Beast read error to what the client is told; kIncomplete means "no answer: just close"
// (end of stream, timeout, reset, cancellation).
ParseOutcome ClassifyReadError(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit) return ParseOutcome::kBodyTooLarge;
  if (ec == bhttp::error::header_limit) return ParseOutcome::kHeaderTooLarge;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
      ec != bhttp::error::need_more) {
    return ParseOutcome::kBadRequest;
  }
  return ParseOutcome::kIncomplete;
}

void ToRequest(BeastRequest&& in, Request* out) {
  out->method.assign(in.method_string());
  out->target.assign(in.target());
  std::string_view target = out->target;
  std::size_t question = target.find('?');
  out->path.assign(target.substr(0, question));
  out->query.assign(question == std::string_view::npos ? std::string_view{}
                                                       : target.substr(question + 1));
  out->headers.clear();
  for (const auto& field : in) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out->headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out->body = std::move(in.body());
}

std::string ProblemJson(int status, std::string_view slug, std::string_view title) {
  std::string json = R"({"type":"https://kehu.dev/problems/)";
  json.append(slug).append(R"(","title":")").append(title).append(R"(","status":)");
  json.append(std::to_string(status)).append("}");
  return json;
}

Response ProblemResponse(int status, std::string_view slug, std::string_view title) {
  return Response{.status = status,
                  .content_type = "application/problem+json",
                  .body = ProblemJson(status, slug, title)};
}

Response ProblemForParseOutcome(ParseOutcome outcome) {
  switch (outcome) {
    case ParseOutcome::kBodyTooLarge:
      return ProblemResponse(413, "payload-too-large", "Request body too large");
    case ParseOutcome::kHeaderTooLarge:
      return ProblemResponse(431, "request-header-fields-too-large",
                             "Request header fields too large");
    case ParseOutcome::kBadRequest:
    case ParseOutcome::kComplete:
    case ParseOutcome::kIncomplete:
      break;
  }
  return ProblemResponse(400, "bad-request", "Malformed HTTP request");
}

bool IsSafeHeader(std::string_view name, std::string_view value) {
  auto has_ctl = [](std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == 0; });
  };
  return !name.empty() && !has_ctl(name) && !has_ctl(value);
}

// The server owns message framing; a handler setting these would corrupt the connection.
bool IsFramingHeader(std::string_view name) {
  return beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
         beast::iequals(name, "connection");
}

template <class Body>
void ApplyHeaders(bhttp::response<Body>& res, const Response& response, bool keep_alive) {
  res.set(bhttp::field::server, "kehu");
  if (!response.content_type.empty()) res.set(bhttp::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) {
    if (IsFramingHeader(name)) continue;
    if (!IsSafeHeader(name, value)) {
      spdlog::error("http: dropping response header '{}' with control characters", name);
      continue;
    }
    res.insert(name, value);
  }
  res.keep_alive(keep_alive);
}

template <class Body>
asio::awaitable<bool> WriteMessage(beast::tcp_stream& stream, bhttp::response<Body>& res,
                                   bool head_only) {
  if (head_only) {
    bhttp::response_serializer<Body> serializer{res};
    auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, kNoThrow);
    co_return !ec;
  }
  auto [ec, n] = co_await bhttp::async_write(stream, res, kNoThrow);
  co_return !ec;
}

// Writes `response` in HTTP/1.`version`; returns false when the connection failed.
asio::awaitable<bool> WriteResponse(beast::tcp_stream& stream, Response response, unsigned version,
                                    bool keep_alive, bool head_only) {
  if (response.status < 200 || response.status > 999) {
    // 1xx is protocol-level and has no body; anything else is not a status at all.
    spdlog::error("http: handler returned invalid status {}", response.status);
    response = ProblemResponse(500, "internal", "Internal server error");
  }
  if (!response.file_path.empty()) {
    std::error_code fs_ec;
    bool regular = std::filesystem::is_regular_file(response.file_path, fs_ec);
    bhttp::file_body::value_type file;
    beast::error_code ec;
    if (regular) file.open(response.file_path.c_str(), beast::file_mode::scan, ec);
    if (regular && !ec) {
      bhttp::response<bhttp::file_body> res{static_cast<bhttp::status>(response.status), version};
      ApplyHeaders(res, response, keep_alive);
      res.body() = std::move(file);
      res.prepare_payload();
      co_return co_await WriteMessage(stream, res, head_only);
    }
    response = ProblemResponse(404, "not-found", "Not found");
  }
  // An in-memory body: the head is formatted here and sent with the body in one gather write,
  // as Beast's serializer would frame it (status line, Server, Content-Type, the handler's
  // headers, Connection as keep_alive asks, Content-Length unless 204/304). Beast's serializer
  // walked its buffer sequence piece by piece: ~4 % of a point read's CPU.
  const bool no_body = response.status == 204 || response.status == 304;
  std::string head;
  head.reserve(192 + response.content_type.size());
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(response.status);
  head += ' ';
  const std::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(response.status));
  head += reason;
  head += "\r\nServer: kehu\r\n";
  if (!response.content_type.empty() && IsSafeHeader("Content-Type", response.content_type)) {
    head += "Content-Type: ";
    head += response.content_type;
    head += "\r\n";
  }
  for (const auto& [name, value] : response.headers) {
    if (IsFramingHeader(name)) continue;
    if (!IsSafeHeader(name, value) || name.find(':') != std::string::npos) {
      spdlog::error("http: dropping response header '{}' with control characters", name);
      continue;
    }
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (version >= 11 && !keep_alive) head += "Connection: close\r\n";
  if (version < 11 && keep_alive) head += "Connection: keep-alive\r\n";
  if (!no_body) {
    head += "Content-Length: ";
    head += std::to_string(response.body.size());
    head += "\r\n";
  }
  head += "\r\n";
  if (head_only || no_body || response.body.empty()) {
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(head), kNoThrow);
    co_return !ec;
  }
  const std::array<asio::const_buffer, 2> parts{asio::buffer(head), asio::buffer(response.body)};
  auto [ec, n] = co_await asio::async_write(stream, parts, kNoThrow);
  co_return !ec;
}

std::string PeerAddress(const tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return {};
  asio::ip::address address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

void LogUnexpected(std::string_view where, std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    spdlog::error("http: {} failed: {}", where, e.what());
  } catch (...) {
    spdlog::error("http: {} failed with a non-standard exception", where);
  }
}

struct SessionSlot;

// Counts open connections so Stop() can wait for the last one to finish.
struct LiveSessions {
  std::mutex mu;
  std::condition_variable done;
  int count = 0;
};

// One I/O thread: its io_context, acceptor and the sessions living on it.
struct IoWorker {
  // Declared before ioc: destroying ioc destroys suspended session frames, whose slots erase
  // themselves from this set.
  std::unordered_set<SessionSlot*> sessions;
  asio::io_context ioc{1};  // one thread runs it: lets Asio skip internal locking
  std::optional<tcp::acceptor> acceptor;
  std::thread thread;
};

}  // namespace

ParseOutcome ParseHttpRequest(std::string_view bytes, uint64_t body_limit, Request* out) {
  BeastParser parser;
  ConfigureParser(parser, body_limit);
  parser.eager(true);
  beast::error_code ec;
  std::size_t used = 0;
  while (!parser.is_done()) {
    std::size_t n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) return ParseOutcome::kIncomplete;
    if (ec) {
      ParseOutcome outcome = ClassifyReadError(ec);
      return outcome == ParseOutcome::kIncomplete ? ParseOutcome::kBadRequest : outcome;
    }
    if (n == 0 || used == bytes.size()) break;
  }
  if (!parser.is_done()) return ParseOutcome::kIncomplete;
  ToRequest(parser.release(), out);
  return ParseOutcome::kComplete;
}

struct Server::Impl {
  ServerOptions options;
  Handler handler;

  std::vector<std::unique_ptr<IoWorker>> workers;
  std::unique_ptr<asio::thread_pool> pool;
  std::atomic<uint16_t> bound_port{0};
  std::atomic<bool> stopping{false};  // read by sessions on every keep-alive turn

  LiveSessions live;
  std::mutex stop_mu;  // serialises Start() and Stop()
  std::mutex mu;       // guards the fields below
  bool started = false;
  bool stop_requested = false;
  asio::io_context* signal_ctx = nullptr;  // RunUntilSignal's context, woken by Stop()

  // Requests handed to options.handle_async whose resume has not returned yet: Stop() waits
  // for them before the io_contexts they post to are destroyed.
  std::mutex async_mu;
  std::condition_variable async_done;
  int async_pending = 0;  // guarded by async_mu

  Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  asio::awaitable<void> AcceptLoop(IoWorker& worker);
  asio::awaitable<void> RunSession(IoWorker& worker, tcp::socket socket);
  asio::awaitable<Response> Dispatch(Request& request);
  asio::awaitable<Response> DispatchAsync(Request& request);
  asio::awaitable<void> WriteStream(beast::tcp_stream& stream, SessionSlot& slot,
                                    Response response, unsigned version, bool head_only);
  Response CallHandler(Request& request);
  void CloseIdleSessions(IoWorker& worker);
};

namespace {

// A session's entry in its IoWorker, visible to Stop() (on the same thread) so idle connections
// can be closed at once while busy ones finish their request.
struct SessionSlot {
  SessionSlot(LiveSessions& live, IoWorker& worker, beast::tcp_stream& stream)
      : live_(live), worker_(worker), stream(stream) {
    worker_.sessions.insert(this);
    std::lock_guard lock(live_.mu);
    ++live_.count;
  }
  ~SessionSlot() {
    worker_.sessions.erase(this);
    std::lock_guard lock(live_.mu);
    if (--live_.count == 0) live_.done.notify_all();
  }
  SessionSlot(const SessionSlot&) = delete;
  SessionSlot& operator=(const SessionSlot&) = delete;

  LiveSessions& live_;
  IoWorker& worker_;
  beast::tcp_stream& stream;
  bool idle = false;  // waiting for the first byte of a request, nothing buffered
  asio::steady_timer* stream_timer = nullptr;  // set while streaming: Stop() cancels it
};

asio::awaitable<void> LingerAndClose(beast::tcp_stream& stream) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(std::chrono::seconds(kLingerSeconds));
  char discard[4096];
  std::size_t drained = 0;
  while (drained < kLingerMaxBytes) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(discard), kNoThrow);
    if (ec) break;
    drained += n;
  }
  stream.socket().close(ignored);
}

}  // namespace

Response Server::Impl::CallHandler(Request& request) {
  // The front door for exceptions (CONVENTIONS.md, "Errors"): a throwing handler is a bug, logged
  // and answered 500, and the connection stays usable.
  try {
    return handler(request);
  } catch (const std::exception& e) {
    spdlog::error("http: handler threw on {} {}: {}", request.method, request.path, e.what());
  } catch (...) {
    spdlog::error("http: handler threw a non-standard exception on {} {}", request.method,
                  request.path);
  }
  return ProblemResponse(500, "internal", "Internal server error");
}

asio::awaitable<Response> Server::Impl::DispatchAsync(Request& request) {
  auto io_executor = co_await asio::this_coro::executor;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
      [this, &request, io_executor](auto handler) {
        auto resume_coroutine = std::make_shared<decltype(handler)>(std::move(handler));
        {
          std::lock_guard lock(async_mu);
          ++async_pending;
        }
        auto once = std::make_shared<std::atomic<bool>>(false);
        ServerOptions::Resume resume = [this, resume_coroutine, io_executor,
                                        once](std::function<Response()> make) {
          if (once->exchange(true)) {
            spdlog::error("http: an asynchronous handler answered twice");
            return;
          }
          asio::post(io_executor, [resume_coroutine, make = std::move(make)] {
            Response response;
            try {
              response = make();
            } catch (const std::exception& e) {
              spdlog::error("http: an asynchronous handler's response threw: {}", e.what());
              response = ProblemResponse(500, "internal", "Internal server error");
            } catch (...) {
              spdlog::error("http: an asynchronous handler's response threw");
              response = ProblemResponse(500, "internal", "Internal server error");
            }
            (*resume_coroutine)(std::move(response));
          });
          std::lock_guard lock(async_mu);
          if (--async_pending == 0) async_done.notify_all();
        };
        try {
          options.handle_async(request, resume);
        } catch (const std::exception& e) {
          spdlog::error("http: handler threw on {} {}: {}", request.method, request.path, e.what());
          if (!once->load()) resume([] { return ProblemResponse(500, "internal", "Internal server error"); });
        } catch (...) {
          spdlog::error("http: handler threw a non-standard exception on {} {}", request.method, request.path);
          if (!once->load()) resume([] { return ProblemResponse(500, "internal", "Internal server error"); });
        }
      },
      asio::use_awaitable);
}

asio::awaitable<Response> Server::Impl::Dispatch(Request& request) {
  if (options.run_inline && options.run_inline(request)) co_return CallHandler(request);
  if (options.run_async && options.handle_async && options.run_async(request)) {
    co_return co_await DispatchAsync(request);
  }
  auto io_executor = co_await asio::this_coro::executor;
  // A plain post(pool, use_awaitable) would resume on the coroutine's own (I/O) executor;
  // binding the pool executor makes the coroutine continue on a pool thread, so the handler may
  // block without stalling other connections.
  co_await asio::post(pool->get_executor(),
                      asio::bind_executor(pool->get_executor(), asio::use_awaitable));
  Response response = CallHandler(request);
  co_await asio::post(io_executor, asio::use_awaitable);
  co_return response;
}

asio::awaitable<void> Server::Impl::AcceptLoop(IoWorker& worker) {
  for (;;) {
    auto [ec, socket] = co_await worker.acceptor->async_accept(kNoThrow);
    if (stopping.load()) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted || !worker.acceptor->is_open()) co_return;
      // E.g. EMFILE: back off briefly instead of spinning on an error that persists.
      spdlog::warn("http: accept failed: {}", ec.message());
      asio::steady_timer backoff(worker.ioc, std::chrono::milliseconds(100));
      co_await backoff.async_wait(kNoThrow);
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // no Nagle stall on small responses
    asio::co_spawn(worker.ioc, RunSession(worker, std::move(socket)),
                   [](std::exception_ptr e) { LogUnexpected("session", e); });
  }
}

asio::awaitable<void> Server::Impl::RunSession(IoWorker& worker, tcp::socket socket) {
  const std::string remote_addr = PeerAddress(socket);
  beast::tcp_stream stream(std::move(socket));
  SessionSlot slot(live, worker, stream);
  beast::flat_buffer buffer;
  const auto header_timeout = std::chrono::seconds(options.header_timeout_seconds);
  const auto idle_timeout = std::chrono::seconds(options.idle_timeout_seconds);
  bool first_request = true;
  std::optional<BeastParser> parser;

  for (;;) {
    if (stopping.load()) break;
    if (buffer.size() == 0) {
      // Waiting for a request to start: the idle timeout applies between keep-alive requests;
      // a fresh connection must send its request within the header timeout.
      slot.idle = true;
      stream.expires_after(first_request ? header_timeout : idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kNoThrow);
      slot.idle = false;
      if (ec) break;  // closed, reset, timed out, or cancelled by Stop()
      buffer.commit(n);
    }
    first_request = false;

    parser.emplace();
    // The parser allows the largest limit; the request's own limit (by path) is checked as soon
    // as the header is in, so an over-long upload is refused before its body is read.
    const uint64_t max_limit = options.large_body_paths.empty()
                                   ? options.body_limit
                                   : std::max(options.body_limit, options.large_body_limit);
    ConfigureParser(*parser, max_limit);
    stream.expires_after(header_timeout);
    auto [header_ec, header_n] =
        co_await bhttp::async_read_header(stream, buffer, *parser, kNoThrow);
    beast::error_code read_ec = header_ec;
    uint64_t request_limit = options.body_limit;
    if (!read_ec) {
      std::string_view target = parser->get().target();
      std::string_view path = target.substr(0, target.find('?'));
      for (const auto& p : options.large_body_paths)
        if (path == p) request_limit = std::max(options.body_limit, options.large_body_limit);
      auto length = parser->content_length();
      if (length && *length > request_limit) read_ec = bhttp::error::body_limit;
    }
    if (!read_ec && !parser->is_done()) {
      const auto& header = parser->get();
      if (header.version() >= 11 && beast::iequals(header[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, header.version()};
        auto [ec, n] = co_await bhttp::async_write(stream, go_on, kNoThrow);
        if (ec) break;
      }
      // The body gets its own window of the same length as the header.
      stream.expires_after(header_timeout);
      auto [body_ec, body_n] = co_await bhttp::async_read(stream, buffer, *parser, kNoThrow);
      read_ec = body_ec;
      if (!read_ec && parser->get().body().size() > request_limit) read_ec = bhttp::error::body_limit;
    }
    if (read_ec) {
      ParseOutcome outcome = ClassifyReadError(read_ec);
      if (outcome == ParseOutcome::kIncomplete) break;  // nothing sensible to answer
      stream.expires_after(header_timeout);
      unsigned version = parser->get().version() == 10 ? 10 : 11;
      if (co_await WriteResponse(stream, ProblemForParseOutcome(outcome), version, false, false)) {
        co_await LingerAndClose(stream);
      }
      co_return;
    }

    BeastRequest& beast_request = parser->get();
    const unsigned version = beast_request.version();
    const bool head_only = beast_request.method() == bhttp::verb::head;
    bool keep_alive = beast_request.keep_alive();
    Request request;
    ToRequest(parser->release(), &request);
    request.remote_addr = remote_addr;

    Response response = co_await Dispatch(request);
    if (response.stream) {
      co_await WriteStream(stream, slot, std::move(response), version, head_only);
      break;
    }

    // During a graceful stop the in-flight request is answered, then the connection closes.
    keep_alive = keep_alive && !stopping.load();
    stream.expires_after(std::max(idle_timeout, header_timeout));
    if (!co_await WriteResponse(stream, std::move(response), version, keep_alive, head_only)) {
      break;
    }
    if (!keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.socket().close(ignored);
}

void Server::Impl::CloseIdleSessions(IoWorker& worker) {
  beast::error_code ignored;
  if (worker.acceptor) worker.acceptor->close(ignored);
  for (SessionSlot* slot : worker.sessions) {
    if (slot->idle) slot->stream.cancel();
    if (slot->stream_timer) slot->stream_timer->cancel();
  }
}

// A streamed response: headers, then the channel's chunks as they come (chunked encoding in
// HTTP/1.1, raw bytes until close in HTTP/1.0), a heartbeat after a silence, and the last chunk
// when the producer closes or the server stops. The producer wakes this coroutine by cancelling
// its timer through a posted handler that holds only a weak reference, so a wake-up arriving
// after the session ended does nothing.
asio::awaitable<void> Server::Impl::WriteStream(beast::tcp_stream& stream, SessionSlot& slot,
                                                Response response, unsigned version,
                                                bool head_only) {
  std::shared_ptr<StreamChannel> channel = response.stream;
  const bool chunked = version >= 11;
  bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(response.status), version};
  ApplyHeaders(res, response, false);
  res.set(bhttp::field::cache_control, "no-cache");
  if (chunked) res.chunked(true);
  const auto write_timeout =
      std::chrono::seconds(std::max(options.idle_timeout_seconds, options.header_timeout_seconds));
  stream.expires_after(write_timeout);
  bhttp::response_serializer<bhttp::empty_body> serializer{res};
  auto [header_ec, header_n] = co_await bhttp::async_write_header(stream, serializer, kNoThrow);
  if (header_ec || head_only) {
    channel->Close();
    co_return;
  }
  auto timer = std::make_shared<asio::steady_timer>(stream.get_executor());
  std::weak_ptr<asio::steady_timer> weak = timer;
  auto executor = stream.get_executor();
  channel->SetWaker([weak, executor] {
    asio::post(executor, [weak] {
      if (auto t = weak.lock()) t->cancel();
    });
  });
  slot.stream_timer = timer.get();
  auto write = [&](const std::string& data) -> asio::awaitable<bool> {
    stream.expires_after(write_timeout);
    if (chunked) {
      auto [ec, n] =
          co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(data)), kNoThrow);
      co_return !ec;
    }
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(data), kNoThrow);
    co_return !ec;
  };
  bool ok = true;
  const auto heartbeat = std::chrono::seconds(std::max(1, response.stream_heartbeat_seconds));
  while (ok) {
    bool closed = false;
    std::vector<std::string> chunks = channel->Drain(&closed);
    for (const auto& c : chunks) {
      if (!c.empty() && !(ok = co_await write(c))) break;
    }
    if (!ok || closed || stopping.load()) break;
    if (!chunks.empty()) continue;  // more may have arrived while writing
    timer->expires_after(heartbeat);
    auto [timer_ec] = co_await timer->async_wait(kNoThrow);
    if (stopping.load()) break;
    if (!timer_ec && !response.stream_heartbeat.empty()) {
      ok = co_await write(response.stream_heartbeat);
    }
  }
  slot.stream_timer = nullptr;
  channel->SetWaker(nullptr);
  channel->Close();
  if (ok && chunked) {
    stream.expires_after(write_timeout);
    co_await asio::async_write(stream, bhttp::make_chunk_last(), kNoThrow);
  }
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { Stop(); }

uint16_t Server::port() const { return impl_->bound_port.load(); }

bool Server::Start(std::string* error) {
  Impl& impl = *impl_;
  auto fail = [&](std::string message) {
    if (error) *error = std::move(message);
    impl.workers.clear();
    return false;
  };
  std::lock_guard stop_lock(impl.stop_mu);
  {
    std::lock_guard lock(impl.mu);
    if (impl.started) return fail("server already started");
    if (impl.stop_requested) return fail("server was stopped");
  }
  const ServerOptions& o = impl.options;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int io_threads = o.io_threads > 0 ? o.io_threads : cores;
  // Handlers block (database, hashing) and concurrent writers share one commit (group commit in
  // the SQLite store), so more workers than cores keep more writes in each commit: measured
  // on 2 cores, 64 connections, 100k customers: 8 workers gave 3,448 creates/s, 32 gave 4,939,
  // 64 gave 5,609 (point reads drop from ~35k to ~25-27k req/s). See docs/benchmarks.md.
  const int worker_threads = o.worker_threads > 0 ? o.worker_threads : std::max(64, 32 * cores);
  if (o.header_timeout_seconds <= 0 || o.idle_timeout_seconds <= 0 ||
      o.shutdown_grace_seconds < 0) {
    return fail("timeouts must be positive");
  }

  beast::error_code ec;
  tcp::endpoint endpoint;
  {
    asio::io_context resolve_ctx;
    tcp::resolver resolver(resolve_ctx);
    auto results = resolver.resolve(o.host, std::to_string(o.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      return fail("cannot resolve listen host '" + o.host +
                  "': " + (ec ? ec.message() : std::string("no address")));
    }
    endpoint = results.begin()->endpoint();
  }

  // Every acceptor sets SO_REUSEPORT before bind: the kernel then load-balances connections over
  // the io_contexts. (A second process of the same user could join the group too; the port must
  // not be shared with another kehu instance.)
  using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
  for (int i = 0; i < io_threads; ++i) {
    auto worker = std::make_unique<IoWorker>();
    worker->acceptor.emplace(worker->ioc);
    tcp::acceptor& acceptor = *worker->acceptor;
    std::string where = o.host + ":" + std::to_string(endpoint.port());
    if (acceptor.open(endpoint.protocol(), ec)) return fail("cannot open socket: " + ec.message());
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.set_option(ReusePort(true), ec);
    if (ec) return fail("cannot set socket options: " + ec.message());
    if (acceptor.bind(endpoint, ec)) return fail("cannot bind " + where + ": " + ec.message());
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
      return fail("cannot listen on " + where + ": " + ec.message());
    }
    if (i == 0) endpoint.port(acceptor.local_endpoint().port());  // port 0: reuse the pick
    impl.workers.push_back(std::move(worker));
  }
  impl.bound_port = endpoint.port();
  impl.pool = std::make_unique<asio::thread_pool>(worker_threads);

  for (auto& worker : impl.workers) {
    asio::co_spawn(worker->ioc, impl.AcceptLoop(*worker),
                   [](std::exception_ptr e) { LogUnexpected("accept loop", e); });
    worker->thread = std::thread([w = worker.get()] {
      for (;;) {
        try {
          w->ioc.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("http: I/O thread caught: {}", e.what());
        }
      }
    });
  }
  std::lock_guard lock(impl.mu);
  impl.started = true;
  return true;
}

void Server::Stop() {
  Impl& impl = *impl_;
  std::lock_guard stop_lock(impl.stop_mu);
  {
    std::lock_guard lock(impl.mu);
    impl.stop_requested = true;
    if (impl.signal_ctx) impl.signal_ctx->stop();
    if (!impl.started) return;
  }
  if (impl.stopping.exchange(true)) return;  // already stopped

  for (auto& worker : impl.workers) {
    asio::post(worker->ioc, [&impl, w = worker.get()] { impl.CloseIdleSessions(*w); });
  }
  {
    std::unique_lock lock(impl.live.mu);
    impl.live.done.wait_for(lock, std::chrono::seconds(impl.options.shutdown_grace_seconds),
                            [&] { return impl.live.count == 0; });
    if (impl.live.count > 0) {
      spdlog::warn("http: {} connection(s) still open after the shutdown grace period",
                   impl.live.count);
    }
  }
  for (auto& worker : impl.workers) worker->ioc.stop();
  for (auto& worker : impl.workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  // A handler still running past the grace period is waited for: it may hold a database
  // transaction, and abandoning its thread would be worse than a late exit.
  impl.pool->stop();
  impl.pool->join();
  {
    // An asynchronous handler's work (a database write) still running posts to its io_context
    // when it ends: wait for that before the io_contexts go.
    std::unique_lock lock(impl.async_mu);
    impl.async_done.wait(lock, [&] { return impl.async_pending == 0; });
  }
  // Destroying the io_contexts destroys the sessions still suspended in them; the pool is gone, so
  // nothing can resume them any more.
  impl.workers.clear();
}

void Server::RunUntilSignal() {
  Impl& impl = *impl_;
  asio::io_context signal_ctx(1);
  asio::signal_set signals(signal_ctx, SIGINT, SIGTERM);
  signals.async_wait([](const beast::error_code& ec, int signal_number) {
    if (!ec) spdlog::info("http: signal {} received, stopping", signal_number);
  });
  {
    std::lock_guard lock(impl.mu);
    if (impl.stop_requested) return;
    impl.signal_ctx = &signal_ctx;
  }
  signal_ctx.run();  // returns after the signal, or when Stop() is called on another thread
  {
    std::lock_guard lock(impl.mu);
    impl.signal_ctx = nullptr;
  }
  Stop();
}

}  // namespace kehu::http
