#pragma once
// Opaque pagination cursors: base64url of a short key string ("2026-...|123"), so clients
// cannot depend on their contents. Decoding garbage yields nullopt (the API answers 400).

#include <optional>
#include <string>
#include <string_view>

namespace kehu {

std::string EncodeCursor(std::string_view key);
std::optional<std::string> DecodeCursor(std::string_view cursor);

std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace kehu
