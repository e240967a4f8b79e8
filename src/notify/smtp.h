#pragma once
// Email delivery over SMTP through libcurl. The URL is "smtp://host:port" or "smtps://host:port"
// with optional credentials ("smtp://user:password@host:587"); mail_from is the envelope and
// From address. Used by the background sender for the email outbox.

#include <string>

#include "domain/service/complaint_service.h"

namespace kehu::notify {

class SmtpTransport final : public service::EmailTransport {
 public:
  SmtpTransport(std::string url, std::string mail_from);
  // Errors: kUnavailable when the server cannot be reached or refuses (retried later),
  // kInvalidArgument for an address with CR/LF.
  Status Send(const std::string& to, const std::string& subject, const std::string& body) override;

 private:
  std::string url_;
  std::string user_;
  std::string password_;
  std::string from_;
};

}  // namespace kehu::notify
