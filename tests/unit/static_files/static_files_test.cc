#include "http/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace kehu::http {
namespace {

namespace fs = std::filesystem;

// A web root in a fresh temp dir, laid out like a Vite build, with a secret file beside it
// (outside the root) that no request may reach.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "kehu-static-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    base_ = tmpl;
    root_ = base_ / "dist";
    fs::create_directories(root_ / "assets");
    Write(root_ / "index.html", "<!doctype html><title>Kehu</title>");
    Write(root_ / "index.html.gz", "gz-index");
    Write(root_ / "assets" / "index-AbC123.js", "console.log(1)");
    Write(root_ / "assets" / "index-AbC123.js.gz", "gz-js");
    Write(root_ / "assets" / "index-AbC123.js.br", "br-js");
    Write(root_ / "assets" / "index-AbC123.css", "body{}");
    Write(root_ / "favicon.svg", "<svg/>");
    Write(root_ / ".env", "SECRET=1");
    Write(base_ / "secret.txt", "top secret");
  }
  void TearDown() override { fs::remove_all(base_); }

  static void Write(const fs::path& p, std::string_view text) {
    std::ofstream(p, std::ios::binary) << text;
  }

  std::optional<Response> Get(std::string path, std::string accept_encoding = "",
                              std::string method = "GET") {
    Request req;
    req.method = std::move(method);
    req.path = path;
    req.target = path;
    if (!accept_encoding.empty()) req.headers.emplace_back("accept-encoding", accept_encoding);
    return ServeStatic(req, root_.string());
  }

  static std::string HeaderOf(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  std::string Canon(const fs::path& p) { return fs::weakly_canonical(p).string(); }

  fs::path base_;
  fs::path root_;
};

TEST_F(StaticFilesTest, RootServesIndexHtmlWithNoCache) {
  auto r = Get("/");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->file_path, Canon(root_ / "index.html"));
  EXPECT_EQ(r->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(*r, "Cache-Control"), "no-cache");
  EXPECT_TRUE(r->body.empty());
}

TEST_F(StaticFilesTest, ClientSideRouteFallsBackToIndexHtml) {
  for (std::string path : {"/customers", "/customers/42", "/admin/users/", "/%E5%AE%A2%E6%88%B7"}) {
    auto r = Get(path);
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->file_path, Canon(root_ / "index.html")) << path;
  }
}

TEST_F(StaticFilesTest, HashedAssetIsCachedForAYearAsImmutable) {
  auto r = Get("/assets/index-AbC123.css");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->file_path, Canon(root_ / "assets" / "index-AbC123.css"));
  EXPECT_EQ(r->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(HeaderOf(*r, "Cache-Control"), "public, max-age=31536000, immutable");
}

TEST_F(StaticFilesTest, FileOutsideAssetsIsRevalidated) {
  auto r = Get("/favicon.svg");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->content_type, "image/svg+xml");
  EXPECT_EQ(HeaderOf(*r, "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, MissingFileWithExtensionIsNotFoundRatherThanIndexHtml) {
  auto r = Get("/assets/index-Gone99.js");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
  EXPECT_TRUE(r->file_path.empty());
}

TEST_F(StaticFilesTest, ApiAndOperationsPathsAreLeftToTheRouter) {
  for (std::string path : {"/api", "/api/", "/api/v1/customers", "/healthz", "/readyz", "/metrics",
                           "/%61pi/v1/customers"}) {
    EXPECT_FALSE(Get(path).has_value()) << path;
  }
  // A name that merely starts like a reserved path is the app's.
  EXPECT_TRUE(Get("/apis").has_value());
}

TEST_F(StaticFilesTest, MethodsOtherThanGetAndHeadAreLeftToTheRouter) {
  EXPECT_FALSE(Get("/", "", "POST").has_value());
  EXPECT_FALSE(Get("/index.html", "", "DELETE").has_value());
}

TEST_F(StaticFilesTest, HeadIsAnsweredLikeGet) {
  auto r = Get("/assets/index-AbC123.css", "", "HEAD");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->file_path, Canon(root_ / "assets" / "index-AbC123.css"));
}

TEST_F(StaticFilesTest, PathsThatClimbOutOfTheRootAreRejected) {
  for (std::string path :
       {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/assets%5c..%5c..%5csecret.txt"}) {
    auto r = Get(path);
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->status, 400) << path;
    EXPECT_TRUE(r->file_path.empty()) << path;
  }
}

TEST_F(StaticFilesTest, MalformedPercentEncodingIsRejected) {
  for (std::string path : {"/index.html%", "/index.html%4", "/%zzindex.html", "/index.html%00"}) {
    auto r = Get(path);
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->status, 400) << path;
    EXPECT_TRUE(r->file_path.empty()) << path;
  }
}

TEST_F(StaticFilesTest, HiddenFilesAreNotServed) {
  auto r = Get("/.env");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
  EXPECT_TRUE(r->file_path.empty());
}

TEST_F(StaticFilesTest, SymlinkLeadingOutsideTheRootIsNotServed) {
  fs::create_symlink(base_ / "secret.txt", root_ / "assets" / "link.txt");
  auto r = Get("/assets/link.txt");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
  EXPECT_TRUE(r->file_path.empty());
}

TEST_F(StaticFilesTest, BrotliIsPreferredWhenTheClientAcceptsIt) {
  auto r = Get("/assets/index-AbC123.js", "gzip, deflate, br, zstd");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->file_path, Canon(root_ / "assets" / "index-AbC123.js") + ".br");
  EXPECT_EQ(HeaderOf(*r, "Content-Encoding"), "br");
  EXPECT_EQ(HeaderOf(*r, "Vary"), "Accept-Encoding");
  // The type is that of the original file, not of the .br file.
  EXPECT_EQ(r->content_type, "text/javascript; charset=utf-8");
}

TEST_F(StaticFilesTest, GzipIsServedWhenBrotliIsNotAccepted) {
  for (std::string accept : {"gzip", "gzip, br;q=0", "GZIP;q=0.5", "br;q=0.0, *"}) {
    auto r = Get("/assets/index-AbC123.js", accept);
    ASSERT_TRUE(r.has_value()) << accept;
    EXPECT_EQ(r->file_path, Canon(root_ / "assets" / "index-AbC123.js") + ".gz") << accept;
    EXPECT_EQ(HeaderOf(*r, "Content-Encoding"), "gzip") << accept;
  }
}

TEST_F(StaticFilesTest, IdentityIsServedWhenNoCodingIsAcceptable) {
  for (std::string accept : {"", "identity", "gzip;q=0, br;q=0", "deflate"}) {
    auto r = Get("/assets/index-AbC123.js", accept);
    ASSERT_TRUE(r.has_value()) << accept;
    EXPECT_EQ(r->file_path, Canon(root_ / "assets" / "index-AbC123.js")) << accept;
    EXPECT_EQ(HeaderOf(*r, "Content-Encoding"), "") << accept;
    EXPECT_EQ(HeaderOf(*r, "Vary"), "Accept-Encoding") << accept;
  }
}

TEST_F(StaticFilesTest, FallbackIndexHtmlIsAlsoServedCompressed) {
  auto r = Get("/customers/7", "gzip, br");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->file_path, Canon(root_ / "index.html") + ".gz");
  EXPECT_EQ(HeaderOf(*r, "Content-Encoding"), "gzip");
  EXPECT_EQ(r->content_type, "text/html; charset=utf-8");
}

TEST_F(StaticFilesTest, EveryResponseCarriesTheSecurityHeaders) {
  for (std::string path : {"/", "/assets/index-AbC123.js", "/nope.js", "/../x", "/.env"}) {
    auto r = Get(path);
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(HeaderOf(*r, "Content-Security-Policy"),
              "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
              "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'")
        << path;
    EXPECT_EQ(HeaderOf(*r, "X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(HeaderOf(*r, "Referrer-Policy"), "same-origin") << path;
  }
}

TEST_F(StaticFilesTest, UnbuiltWebRootLeavesTheFallbackToTheRouter) {
  fs::remove(root_ / "index.html");
  EXPECT_FALSE(Get("/customers").has_value());
}

TEST(ContentTypeForPathTest, KnownExtensionsMapToTheirTypes) {
  EXPECT_EQ(ContentTypeForPath("a.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("a.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeForPath("a.png"), "image/png");
  EXPECT_EQ(ContentTypeForPath("a.json"), "application/json");
  EXPECT_EQ(ContentTypeForPath("README"), "application/octet-stream");
}

}  // namespace
}  // namespace kehu::http
