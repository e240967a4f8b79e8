// Drives a live kehu::http::Server on 127.0.0.1 (port 0) with raw sockets: round trips,
// keep-alive, limits, errors, off-I/O-thread handlers, timeouts and graceful stop.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "test_client.h"

namespace kehu::http {
namespace {

using testing::ConnectRefused;
using testing::kWaitMs;
using testing::RawResponse;
using testing::TestClient;

// A one-shot gate a handler can block on; the test opens it. Waits are bounded so that a broken
// server fails the test instead of hanging it.
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool WaitOpen() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(kWaitMs), [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

ServerOptions TestOptions() {
  return ServerOptions{.host = "127.0.0.1",
                       .port = 0,
                       .io_threads = 2,
                       .worker_threads = 4,
                       .body_limit = 1 << 20,
                       .header_timeout_seconds = 30,
                       .idle_timeout_seconds = 30,
                       .shutdown_grace_seconds = 30};
}

// Starts a server or fails the test.
std::unique_ptr<Server> StartServer(ServerOptions options, Handler handler) {
  auto server = std::make_unique<Server>(std::move(options), std::move(handler));
  std::string error;
  EXPECT_TRUE(server->Start(&error)) << error;
  EXPECT_NE(server->port(), 0);
  return server;
}

Response TextResponse(std::string body) {
  return Response{.status = 200, .content_type = "text/plain", .body = std::move(body)};
}

// Built with append: g++ 12 at -O3 reports a false -Wrestrict on `"literal" + std::string`.
std::string Get(std::string_view target, std::string_view extra_headers = "") {
  std::string request = "GET ";
  request.append(target).append(" HTTP/1.1\r\nHost: test\r\n").append(extra_headers);
  return request.append("\r\n");
}

std::string NumberedPath(int i) {
  std::string path = "/";
  return path.append(std::to_string(i));
}

TEST(HttpServer, GetRoundTripShowsTheHandlerMethodPathQueryHeadersAndBody) {
  std::mutex mu;
  Request seen;
  auto server = StartServer(TestOptions(), [&](Request& request) {
    std::lock_guard lock(mu);
    seen = request;
    Response response = TextResponse("hi " + request.body);
    response.SetHeader("X-Kehu", "yes");
    return response;
  });

  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(
      client.Send("GET /api/v1/customers?q=%E7%8E%8B&limit=2 HTTP/1.1\r\nHost: test\r\n"
                  "X-Request-ID: Abc-123\r\nContent-Length: 5\r\n\r\nhello"));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());

  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hi hello");
  EXPECT_EQ(response->Header("content-type"), "text/plain");
  EXPECT_EQ(response->Header("server"), "kehu");
  EXPECT_EQ(response->Header("x-kehu"), "yes");
  EXPECT_EQ(response->Header("content-length"), "8");

  std::lock_guard lock(mu);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/api/v1/customers?q=%E7%8E%8B&limit=2");
  EXPECT_EQ(seen.path, "/api/v1/customers");
  EXPECT_EQ(seen.query, "q=%E7%8E%8B&limit=2");
  EXPECT_EQ(seen.Header("x-request-id"), "Abc-123");
  EXPECT_EQ(seen.Header("host"), "test");
  EXPECT_EQ(seen.body, "hello");
  EXPECT_EQ(seen.remote_addr, "127.0.0.1");
}

TEST(HttpServer, KeepAliveServesTwoRequestsOnOneConnection) {
  std::atomic<int> calls{0};
  auto server = StartServer(TestOptions(), [&](Request& request) {
    ++calls;
    return TextResponse(request.path);
  });

  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Get("/first")));
  auto first = client.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->body, "/first");
  EXPECT_NE(first->Header("connection"), "close");

  ASSERT_TRUE(client.Send(Get("/second")));
  auto second = client.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "/second");
  EXPECT_EQ(calls.load(), 2);
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  auto server = StartServer(TestOptions(), [](Request& request) {
    return TextResponse(request.body.empty() ? request.path : request.body);
  });

  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(
      Get("/a") + "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nbody" + Get("/c")));
  for (const char* expected : {"/a", "body", "/c"}) {
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << expected;
    EXPECT_EQ(response->body, expected);
  }
}

TEST(HttpServer, Http10RequestWithoutKeepAliveIsAnsweredThenClosed) {
  auto server = StartServer(TestOptions(), [](Request&) { return TextResponse("old"); });

  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("GET / HTTP/1.0\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "old");
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServer, BodyOverTheLimitIsAnswered413ProblemJsonWithoutCallingTheHandler) {
  ServerOptions options = TestOptions();
  options.body_limit = 16;
  std::atomic<int> calls{0};
  auto server = StartServer(options, [&](Request&) {
    ++calls;
    return TextResponse("should not run");
  });

  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n" +
                          std::string(100, 'a')));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  EXPECT_EQ(response->body, R"({"type":"https://kehu.dev/problems/payload-too-large",)"
                            R"("title":"Request body too large","status":413})");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServer, ChunkedBodyOverTheLimitIsAnswered413) {
  ServerOptions options = TestOptions();
  options.body_limit = 16;
  auto server = StartServer(options, [](Request& r) { return TextResponse(r.body); });

  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(
      client.Send("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServer, ChunkedBodyWithinTheLimitReachesTheHandlerDechunked) {
  auto server = StartServer(TestOptions(), [](Request& r) { return TextResponse(r.body); });

  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(
      client.Send("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello world");
}

TEST(HttpServer, GarbageIsAnswered400ProblemJsonAndClosed) {
  std::atomic<int> calls{0};
  auto server = StartServer(TestOptions(), [&](Request&) {
    ++calls;
    return TextResponse("no");
  });

  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("\x01\x02 this is not http\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  EXPECT_NE(response->body.find(R"("status":400)"), std::string::npos);
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServer, HeadersOverSixteenKibAreAnswered431) {
  auto server = StartServer(TestOptions(), [](Request&) { return TextResponse("no"); });

  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Get("/", std::string("X-Big: ").append(20000, 'b').append("\r\n"))));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
}

TEST(HttpServer, HandlerThatThrowsGets500AndTheServerKeepsServing) {
  auto server = StartServer(TestOptions(), [](Request& request) -> Response {
    if (request.path == "/throw") throw std::runtime_error("boom");
    return TextResponse("fine");
  });

  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Get("/throw")));
  auto failed = client.ReadResponse();
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(failed->Header("content-type"), "application/problem+json");
  EXPECT_NE(failed->body.find(R"("status":500)"), std::string::npos);

  ASSERT_TRUE(client.Send(Get("/ok")));  // same connection
  auto same = client.ReadResponse();
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->body, "fine");

  TestClient other(server->port());
  ASSERT_TRUE(other.Send(Get("/ok")));
  auto fresh = other.ReadResponse();
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->body, "fine");
}

TEST(HttpServer, BlockingHandlerDoesNotDelayRequestsOnOtherConnections) {
  ServerOptions options = TestOptions();
  options.io_threads = 1;  // with one I/O thread, a handler on it would stall everything
  Gate entered;
  Gate release;
  auto server = StartServer(options, [&](Request& request) {
    if (request.path == "/block") {
      entered.Open();
      release.WaitOpen();
      return TextResponse("unblocked");
    }
    return TextResponse("fast");
  });

  TestClient blocked(server->port());
  ASSERT_TRUE(blocked.Send(Get("/block")));
  ASSERT_TRUE(entered.WaitOpen());

  TestClient quick(server->port());
  ASSERT_TRUE(quick.Send(Get("/fast")));
  auto fast = quick.ReadResponse();
  release.Open();
  ASSERT_TRUE(fast.has_value()) << "request stalled behind a blocking handler";
  EXPECT_EQ(fast->body, "fast");

  auto slow = blocked.ReadResponse();
  ASSERT_TRUE(slow.has_value());
  EXPECT_EQ(slow->body, "unblocked");
}

// Requests handed to handle_async: the I/O thread goes on serving while they wait, the answer
// may come from any thread in any order, and the response function runs on the I/O thread.
TEST(HttpServer, AsyncHandlersAnswerFromAnotherThreadWhileTheIoThreadServesOthers) {
  ServerOptions options = TestOptions();
  options.io_threads = 1;
  options.worker_threads = 1;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ServerOptions::Resume> pending;
  std::thread::id io_thread;
  std::atomic<int> made_elsewhere{0};
  options.run_async = [](Request& r) { return r.path.rfind("/async", 0) == 0; };
  options.handle_async = [&](Request& r, ServerOptions::Resume resume) {
    std::lock_guard lock(mu);
    io_thread = std::this_thread::get_id();
    std::string path = r.path;
    // What the test's other thread calls to answer this request (the argument is unused).
    pending.push_back([resume, path, &made_elsewhere, &io_thread, &mu](std::function<Response()>) {
      resume([path, &made_elsewhere, &io_thread, &mu] {
        std::lock_guard lock(mu);
        if (std::this_thread::get_id() != io_thread) ++made_elsewhere;
        return TextResponse("answer " + path);
      });
    });
    cv.notify_all();
  };
  auto server = StartServer(options, [](Request&) { return TextResponse("sync"); });

  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<TestClient>(server->port()));
    ASSERT_TRUE(clients.back()->Send(Get("/async" + std::to_string(i))));
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::milliseconds(kWaitMs), [&] { return pending.size() == 3; }));
  }
  // While three wait, the same (only) I/O thread and the (only) worker answer another client.
  TestClient other(server->port());
  ASSERT_TRUE(other.Send(Get("/plain")));
  auto plain = other.ReadResponse();
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->body, "sync");

  // Answered from another thread, last first.
  std::thread answerer([&] {
    std::vector<ServerOptions::Resume> take;
    {
      std::lock_guard lock(mu);
      take = pending;
    }
    for (int i = 2; i >= 0; --i) take[static_cast<size_t>(i)]({});
  });
  answerer.join();
  for (int i = 0; i < 3; ++i) {
    auto r = clients[static_cast<size_t>(i)]->ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, "answer /async" + std::to_string(i));
  }
  EXPECT_EQ(made_elsewhere.load(), 0);
  // The connection stays usable after an async answer.
  ASSERT_TRUE(clients[0]->Send(Get("/plain")));
  auto again = clients[0]->ReadResponse();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->body, "sync");
}

TEST(HttpServer, AsyncHandlerThatThrowsGets500AndSoDoesItsResponseFunction) {
  ServerOptions options = TestOptions();
  options.run_async = [](Request&) { return true; };
  options.handle_async = [](Request& r, ServerOptions::Resume resume) {
    if (r.path == "/throw") throw std::runtime_error("boom");
    resume([]() -> Response { throw std::runtime_error("late boom"); });
  };
  auto server = StartServer(options, [](Request&) { return TextResponse("sync"); });
  TestClient client(server->port());
  for (const char* path : {"/throw", "/late"}) {
    ASSERT_TRUE(client.Send(Get(path)));
    auto r = client.ReadResponse();
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->status, 500) << path;
    EXPECT_EQ(r->Header("content-type"), "application/problem+json");
  }
}

// Stop() waits for a request whose async work is still running and sends its answer.
TEST(HttpServer, StopWaitsForAPendingAsyncHandler) {
  ServerOptions options = TestOptions();
  Gate entered;
  std::mutex mu;
  ServerOptions::Resume held;
  options.run_async = [](Request&) { return true; };
  options.handle_async = [&](Request&, ServerOptions::Resume resume) {
    std::lock_guard lock(mu);
    held = std::move(resume);
    entered.Open();
  };
  auto server = StartServer(options, [](Request&) { return TextResponse("sync"); });
  TestClient in_flight(server->port());
  ASSERT_TRUE(in_flight.Send(Get("/slow")));
  ASSERT_TRUE(entered.WaitOpen());
  std::thread stopper([&] { server->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  {
    std::lock_guard lock(mu);
    held([] { return TextResponse("late but whole"); });
  }
  stopper.join();
  auto response = in_flight.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "late but whole");
  EXPECT_EQ(response->Header("connection"), "close");
}

TEST(HttpServer, HeadRequestGetsHeadersWithoutBody) {
  auto server = StartServer(TestOptions(), [](Request&) { return TextResponse("abcdef"); });

  TestClient client(server->port());
  ASSERT_TRUE(client.Send("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = client.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-length"), "6");
  // Had body bytes followed the HEAD answer, they would be read as the next status line.
  ASSERT_TRUE(client.Send(Get("/y")));
  auto get = client.ReadResponse();
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "abcdef");
}

TEST(HttpServer, FilePathIsServedAndAMissingFileIs404) {
  std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("kehu_http_test_" + std::to_string(getpid()));
  {
    std::ofstream out(file, std::ios::binary);
    out << "static file content";
  }
  auto server = StartServer(TestOptions(), [&](Request& request) {
    Response response{.status = 200, .content_type = "text/css"};
    response.file_path = request.path == "/exists" ? file.string() : file.string() + ".missing";
    return response;
  });

  TestClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/exists")));
  auto found = client.ReadResponse();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->status, 200);
  EXPECT_EQ(found->Header("content-type"), "text/css");
  EXPECT_EQ(found->body, "static file content");

  ASSERT_TRUE(client.Send(Get("/missing")));
  auto missing = client.ReadResponse();
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->Header("content-type"), "application/problem+json");
  std::filesystem::remove(file);
}

TEST(HttpServer, Expect100ContinueGetsAnInterimAnswerBeforeTheBodyIsSent) {
  auto server = StartServer(TestOptions(), [](Request& r) { return TextResponse(r.body); });

  TestClient client(server->port());
  ASSERT_TRUE(client.Send(
      "PUT /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("abc"));
  auto final_response = client.ReadResponse();
  ASSERT_TRUE(final_response.has_value());
  EXPECT_EQ(final_response->status, 200);
  EXPECT_EQ(final_response->body, "abc");
}

TEST(HttpServer, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions options = TestOptions();
  options.idle_timeout_seconds = 1;
  auto server = StartServer(options, [](Request&) { return TextResponse("x"); });

  TestClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  // Waits for the close event; the bound is generous and not a timing assertion.
  EXPECT_TRUE(client.WaitForClose(kWaitMs));
}

TEST(HttpServer, ClientStuckInTheMiddleOfHeadersIsDroppedWhileOthersAreServed) {
  ServerOptions options = TestOptions();
  options.header_timeout_seconds = 1;
  auto server = StartServer(options, [](Request&) { return TextResponse("served"); });

  TestClient slow(server->port());
  ASSERT_TRUE(slow.Send("GET / HTTP/1.1\r\nHost: t\r\nX-Half"));

  TestClient other(server->port());
  ASSERT_TRUE(other.Send(Get("/")));
  auto response = other.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "served");

  EXPECT_TRUE(slow.WaitForClose(kWaitMs));
}

TEST(HttpServer, StopLetsAnInFlightRequestFinishItsResponse) {
  Gate entered;
  Gate release;
  auto server = StartServer(TestOptions(), [&](Request&) {
    entered.Open();
    release.WaitOpen();
    return TextResponse(std::string(100000, 'z'));
  });
  const uint16_t port = server->port();

  TestClient in_flight(port);
  ASSERT_TRUE(in_flight.Send(Get("/slow")));
  TestClient idle(port);  // connected, no request: closed at once by Stop()
  ASSERT_TRUE(idle.connected());
  ASSERT_TRUE(entered.WaitOpen());

  std::thread stopper([&] { server->Stop(); });
  // Stop() closes the acceptors first; once connects are refused, stopping is under way. (Probed
  // once per turn only: the freed port may be taken at once by another test's server under
  // `ctest -j2`, so a second probe after a refused one can connect.)
  bool refused = false;
  for (int i = 0; i < kWaitMs && !(refused = ConnectRefused(port)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(refused);
  EXPECT_TRUE(idle.WaitForClose());
  release.Open();
  stopper.join();

  auto response = in_flight.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), 100000u);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(in_flight.WaitForClose());
}

TEST(HttpServer, AfterStopConnectsAreRefusedAndStopIsIdempotent) {
  auto server = StartServer(TestOptions(), [](Request&) { return TextResponse("x"); });
  const uint16_t port = server->port();
  ASSERT_FALSE(ConnectRefused(port));
  server->Stop();
  EXPECT_TRUE(ConnectRefused(port));
  server->Stop();  // second call returns at once
  std::string error;
  EXPECT_FALSE(server->Start(&error));
  EXPECT_FALSE(error.empty());
}

TEST(HttpServer, StopWithoutStartIsHarmless) {
  Server server(TestOptions(), [](Request&) { return TextResponse("x"); });
  server.Stop();
  server.Stop();
}

TEST(HttpServer, StartFailsWithAMessageWhenTheAddressCannotBeBound) {
  ServerOptions options = TestOptions();
  options.host = "192.0.2.1";  // TEST-NET-1: not an address of this machine, nothing is sent
  Server server(options, [](Request&) { return TextResponse("x"); });
  std::string error;
  EXPECT_FALSE(server.Start(&error));
  EXPECT_NE(error.find("192.0.2.1"), std::string::npos) << error;
}

TEST(HttpServer, SeveralIoThreadsShareOnePortChosenByTheKernel) {
  ServerOptions options = TestOptions();
  options.io_threads = 3;
  auto server = StartServer(options, [](Request& r) { return TextResponse(r.path); });
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 12; ++i) {
    clients.push_back(std::make_unique<TestClient>(server->port()));
    ASSERT_TRUE(clients.back()->Send(Get(NumberedPath(i))));
  }
  for (int i = 0; i < 12; ++i) {
    auto response = clients[i]->ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, NumberedPath(i));
  }
}

TEST(HttpServer, RunUntilSignalReturnsWhenStopIsCalledElsewhere) {
  auto server = StartServer(TestOptions(), [](Request&) { return TextResponse("x"); });
  auto done = std::async(std::launch::async, [&] { server->RunUntilSignal(); });
  server->Stop();
  ASSERT_EQ(done.wait_for(std::chrono::milliseconds(kWaitMs)), std::future_status::ready);
  EXPECT_TRUE(ConnectRefused(server->port()));
}

TEST(HttpServer, RunUntilSignalStopsTheServerOnSigterm) {
  auto server = StartServer(TestOptions(), [](Request&) { return TextResponse("x"); });
  auto done = std::async(std::launch::async, [&] { server->RunUntilSignal(); });
  // Raise SIGTERM only once the server's handler is installed (an event we can observe);
  // before that the default action would end the test process.
  struct sigaction current {};
  for (int i = 0; i < kWaitMs; ++i) {
    sigaction(SIGTERM, nullptr, &current);
    if (current.sa_handler != SIG_DFL) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_NE(current.sa_handler, SIG_DFL);
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  ASSERT_EQ(done.wait_for(std::chrono::milliseconds(kWaitMs)), std::future_status::ready);
  EXPECT_TRUE(ConnectRefused(server->port()));
}

}  // namespace
}  // namespace kehu::http
