#pragma once
// Character encodings of imported files: UTF-8 (with or without BOM) and GB18030 (a superset of
// GBK and GB2312, what Chinese Excel writes for "CSV"), detected automatically.

#include <string>
#include <string_view>

#include "core/result.h"

namespace kehu::text {

struct Decoded {
  std::string utf8{};
  std::string encoding{};  // "utf-8", "utf-8-bom" or "gb18030"
};

// encoding: "auto" (UTF-8 when the bytes are valid UTF-8, a UTF-8 BOM is dropped; otherwise
// GB18030), "utf-8", "gbk", "gb18030" or "gb2312".
// Errors: kInvalidArgument for an unknown encoding name, or bytes that are not valid in the
// chosen (or any detected) encoding — the message gives the byte offset of the first bad byte.
Result<Decoded> DecodeToUtf8(std::string_view bytes, std::string_view encoding = "auto");

// UTF-8 to GB18030 (for exports meant for older Excel versions).
Result<std::string> EncodeGb18030(std::string_view utf8);

}  // namespace kehu::text
