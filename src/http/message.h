#pragma once
// Plain request/response values passed between the Beast server (server.cc, the only file that
// includes Beast/Asio) and everything else in http/ (router, middleware, handlers).

#include <cstdint>
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

  // First header with this lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return v;
    return {};
  }
};

struct Response {
  int status{200};
  std::string content_type{"application/json"};
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  // When set, the server streams this file instead of body (static assets).
  std::string file_path{};

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

}  // namespace kehu::http
