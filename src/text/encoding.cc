#include "text/encoding.h"

#include <unicode/ucnv.h>

#include <memory>

#include "text/chinese.h"

namespace kehu::text {

namespace {

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
using Converter = std::unique_ptr<UConverter, ConverterCloser>;

Result<std::string> Gb18030ToUtf8(std::string_view bytes) {
  UErrorCode err = U_ZERO_ERROR;
  Converter from(ucnv_open("GB18030", &err));
  if (U_FAILURE(err)) return Internal("ICU has no GB18030 converter");
  // Stop at the first byte sequence that is not GB18030 instead of substituting U+FFFD.
  ucnv_setToUCallBack(from.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
  Converter to(ucnv_open("UTF-8", &err));
  if (U_FAILURE(err)) return Internal("ICU has no UTF-8 converter");
  std::string out;
  out.resize(bytes.size() * 3 / 2 + 16);
  char* target = out.data();
  const char* source = bytes.data();
  UChar pivot[1024];
  UChar* pivot_source = pivot;
  UChar* pivot_target = pivot;
  for (;;) {
    err = U_ZERO_ERROR;
    ucnv_convertEx(to.get(), from.get(), &target, out.data() + out.size(), &source,
                   bytes.data() + bytes.size(), pivot, &pivot_source, &pivot_target,
                   pivot + 1024, /*reset=*/false, /*flush=*/true, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) {
      size_t used = target - out.data();
      out.resize(out.size() * 2);
      target = out.data() + used;
      continue;
    }
    if (U_FAILURE(err)) {
      return InvalidArgument("the file is neither UTF-8 nor GB18030/GBK (bad bytes near offset " +
                             std::to_string(source - bytes.data()) + ")");
    }
    break;
  }
  out.resize(target - out.data());
  return out;
}

}  // namespace

Result<Decoded> DecodeToUtf8(std::string_view bytes, std::string_view encoding) {
  const bool bom = bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF";
  if (encoding == "auto" || encoding == "utf-8" || encoding == "utf8") {
    std::string_view body = bom ? bytes.substr(3) : bytes;
    if (IsValidUtf8(body)) return Decoded{std::string(body), bom ? "utf-8-bom" : "utf-8"};
    if (encoding != "auto") {
      size_t ok = 0;
      while (ok < body.size() && IsValidUtf8(body.substr(0, ok + 1))) ++ok;
      return InvalidArgument("the file is not valid UTF-8 (bad bytes near offset " +
                             std::to_string(ok + (bom ? 3 : 0)) + "); try encoding gbk");
    }
  } else if (encoding != "gbk" && encoding != "gb18030" && encoding != "gb2312") {
    return InvalidArgument("unknown encoding '" + std::string(encoding) +
                           "': use auto, utf-8, gbk or gb18030");
  }
  KEHU_ASSIGN_OR_RETURN(auto utf8, Gb18030ToUtf8(bytes));
  return Decoded{std::move(utf8), "gb18030"};
}

Result<std::string> EncodeGb18030(std::string_view utf8) {
  UErrorCode err = U_ZERO_ERROR;
  std::string out(utf8.size() * 2 + 16, '\0');
  int32_t n = ucnv_convert("GB18030", "UTF-8", out.data(), static_cast<int32_t>(out.size()), utf8.data(),
                           static_cast<int32_t>(utf8.size()), &err);
  if (err == U_BUFFER_OVERFLOW_ERROR) {
    out.resize(n);
    err = U_ZERO_ERROR;
    n = ucnv_convert("GB18030", "UTF-8", out.data(), static_cast<int32_t>(out.size()), utf8.data(),
                     static_cast<int32_t>(utf8.size()), &err);
  }
  if (U_FAILURE(err)) return InvalidArgument("text cannot be written as GB18030");
  out.resize(n);
  return out;
}

}  // namespace kehu::text
