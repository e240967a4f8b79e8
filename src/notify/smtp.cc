#include "notify/smtp.h"

#include <curl/curl.h>

#include <cstring>

namespace kehu::notify {

namespace {

struct Upload {
  std::string data;
  size_t pos{0};
};

size_t ReadCallback(char* buf, size_t size, size_t n, void* userp) {
  auto* u = static_cast<Upload*>(userp);
  size_t room = size * n, left = u->data.size() - u->pos, k = std::min(room, left);
  std::memcpy(buf, u->data.data() + u->pos, k);
  u->pos += k;
  return k;
}

bool HasLineBreak(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

// RFC 2047 encoded-word for a UTF-8 header value.
std::string EncodeHeader(const std::string& s) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "=?UTF-8?B?";
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t v = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8) | uint8_t(s[i + 2]);
    out += k[v >> 18], out += k[(v >> 12) & 63], out += k[(v >> 6) & 63], out += k[v & 63];
  }
  if (i + 1 == s.size()) {
    uint32_t v = uint8_t(s[i]) << 16;
    out += k[v >> 18], out += k[(v >> 12) & 63], out += "==";
  } else if (i + 2 == s.size()) {
    uint32_t v = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8);
    out += k[v >> 18], out += k[(v >> 12) & 63], out += k[(v >> 6) & 63], out += '=';
  }
  return out + "?=";
}

}  // namespace

SmtpTransport::SmtpTransport(std::string url, std::string mail_from) : from_(std::move(mail_from)) {
  // Credentials in the URL go to CURLOPT_USERNAME/PASSWORD, not into logs.
  size_t scheme = url.find("://");
  size_t at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme != std::string::npos && at != std::string::npos) {
    std::string cred = url.substr(scheme + 3, at - scheme - 3);
    size_t colon = cred.find(':');
    user_ = cred.substr(0, colon);
    if (colon != std::string::npos) password_ = cred.substr(colon + 1);
    url = url.substr(0, scheme + 3) + url.substr(at + 1);
  }
  url_ = std::move(url);
}

Status SmtpTransport::Send(const std::string& to, const std::string& subject, const std::string& body) {
  if (to.empty() || HasLineBreak(to) || HasLineBreak(from_))
    return InvalidArgument("bad address", {{"to", "must be one address"}});
  CURL* curl = curl_easy_init();
  if (!curl) return MakeError(ErrorCode::kUnavailable, "curl_easy_init failed");
  Upload up;
  up.data = "To: <" + to + ">\r\nFrom: <" + from_ + ">\r\nSubject: " + EncodeHeader(subject) +
            "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n";
  for (char ch : body) {
    if (ch == '\n') up.data += "\r\n";
    else if (ch != '\r') up.data += ch;
  }
  up.data += "\r\n";
  std::string from_env = "<" + from_ + ">", to_env = "<" + to + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, to_env.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  if (!user_.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, user_.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, password_.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from_env.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadCallback);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (url_.rfind("smtp://", 0) == 0) curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return MakeError(ErrorCode::kUnavailable, std::string("smtp: ") + curl_easy_strerror(rc));
  return Status::Ok();
}

}  // namespace kehu::notify
