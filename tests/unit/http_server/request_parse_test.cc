// ParseHttpRequest: the in-memory parse path shared by the server and the fuzz target.

#include "http/request_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace kehu::http {
namespace {

struct Case {
  const char* name;
  std::string bytes;
  uint64_t body_limit;
  ParseOutcome outcome;
};

TEST(ParseHttpRequest, ClassifiesEachKindOfInput) {
  const Case cases[] = {
      {"complete GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 100, ParseOutcome::kComplete},
      {"headers cut short", "GET / HTTP/1.1\r\nHost: a\r\n", 100, ParseOutcome::kIncomplete},
      {"body cut short", "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", 100,
       ParseOutcome::kIncomplete},
      {"empty input", "", 100, ParseOutcome::kIncomplete},
      {"garbage", "\x01\x02\x03 nonsense\r\n\r\n", 100, ParseOutcome::kBadRequest},
      {"bad version", "GET / HTTP/9\r\n\r\n", 100, ParseOutcome::kBadRequest},
      {"bad content length", "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 100,
       ParseOutcome::kBadRequest},
      {"declared body over limit", "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 10,
       ParseOutcome::kBodyTooLarge},
      {"body at the limit", "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", 10,
       ParseOutcome::kComplete},
      {"chunked body over limit",
       "POST / HTTP/1.1\r\nTransfer-Encoding: "
       "chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n",
       10, ParseOutcome::kBodyTooLarge},
      {"headers over 16 KiB", "GET / HTTP/1.1\r\nX: " + std::string(17000, 'x') + "\r\n\r\n", 100,
       ParseOutcome::kHeaderTooLarge},
  };
  for (const Case& c : cases) {
    Request request;
    EXPECT_EQ(ParseHttpRequest(c.bytes, c.body_limit, &request), c.outcome) << c.name;
  }
}

TEST(ParseHttpRequest, FillsEveryFieldAndLowerCasesHeaderNames) {
  Request request;
  ASSERT_EQ(ParseHttpRequest("PATCH /api/v1/customers/7?fields=name&x= HTTP/1.1\r\n"
                             "Host: kehu\r\nIf-Match: \"3\"\r\nX-Dup: 1\r\nx-dup: 2\r\n"
                             "Content-Length: 4\r\n\r\n{\"a\"}",
                             100, &request),
            ParseOutcome::kComplete);
  EXPECT_EQ(request.method, "PATCH");
  EXPECT_EQ(request.target, "/api/v1/customers/7?fields=name&x=");
  EXPECT_EQ(request.path, "/api/v1/customers/7");
  EXPECT_EQ(request.query, "fields=name&x=");
  EXPECT_EQ(request.Header("if-match"), "\"3\"");
  ASSERT_EQ(request.headers.size(), 5u);
  EXPECT_EQ(request.headers[2], (std::pair<std::string, std::string>{"x-dup", "1"}));
  EXPECT_EQ(request.headers[3], (std::pair<std::string, std::string>{"x-dup", "2"}));
  EXPECT_EQ(request.body, "{\"a\"");
  EXPECT_TRUE(request.remote_addr.empty());
}

TEST(ParseHttpRequest, TargetWithoutQueryHasEmptyQueryAndChunkedBodyIsJoined) {
  Request request;
  ASSERT_EQ(ParseHttpRequest("POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                             100, &request),
            ParseOutcome::kComplete);
  EXPECT_EQ(request.path, "/upload");
  EXPECT_EQ(request.query, "");
  EXPECT_EQ(request.body, "abcde");
}

TEST(ParseHttpRequest, OnlyTheFirstOfTwoPipelinedRequestsIsReturned) {
  Request request;
  ASSERT_EQ(ParseHttpRequest("GET /one HTTP/1.1\r\n\r\nGET /two HTTP/1.1\r\n\r\n", 100, &request),
            ParseOutcome::kComplete);
  EXPECT_EQ(request.path, "/one");
}

TEST(ParseHttpRequest, UnknownMethodIsKeptVerbatim) {
  Request request;
  ASSERT_EQ(ParseHttpRequest("PROPFIND /dav HTTP/1.1\r\n\r\n", 100, &request),
            ParseOutcome::kComplete);
  EXPECT_EQ(request.method, "PROPFIND");
}

TEST(ParseHttpRequest, FailedParseLeavesTheOutputUntouched) {
  Request request{.method = "KEEP"};
  EXPECT_EQ(ParseHttpRequest("nonsense\r\n\r\n", 100, &request), ParseOutcome::kBadRequest);
  EXPECT_EQ(request.method, "KEEP");
}

}  // namespace
}  // namespace kehu::http
