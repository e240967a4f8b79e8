// kehu_http_echo: the bare server with a trivial handler, for load checks of the HTTP layer alone
// (not a test). Usage: kehu_http_echo [port] [io_threads] [worker_threads]
//   GET  any path -> a fixed 229-byte JSON document (the size STACK.md's figures used)
//   POST any path -> the request body echoed back

#include <cstdio>
#include <cstdlib>
#include <string>

#include "http/server.h"

int main(int argc, char** argv) {
  kehu::http::ServerOptions options;
  options.port = static_cast<uint16_t>(argc > 1 ? std::atoi(argv[1]) : 8099);
  if (argc > 2) options.io_threads = std::atoi(argv[2]);
  if (argc > 3) options.worker_threads = std::atoi(argv[3]);

  std::string document =
      R"({"id":1,"name":"王芳","phone":"+8613800138000","email":"wang@example.cn",)"
      R"("category":"distributor","owner_id":7,"tags":["vip","north"],)"
      R"("created_at":"2024-01-01T00:00:00Z","version":3,"note":")";
  document.append(229 - document.size() - 2, 'x').append("\"}");

  kehu::http::Server server(options, [&](kehu::http::Request& request) {
    kehu::http::Response response;
    response.body = request.method == "POST" ? std::move(request.body) : document;
    return response;
  });
  std::string error;
  if (!server.Start(&error)) {
    std::fprintf(stderr, "kehu_http_echo: %s\n", error.c_str());
    return 1;
  }
  std::printf("listening on 127.0.0.1:%u\n", server.port());
  std::fflush(stdout);
  server.RunUntilSignal();
  return 0;
}
