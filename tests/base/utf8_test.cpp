// UTF-8 validation (base/utf8.h): valid text passes; a NUL byte, a stray continuation byte, an
// overlong form, a surrogate, a code point above U+10FFFF and a cut sequence are named with their byte.
#include "base/utf8.h"

#include <gtest/gtest.h>

namespace hito {
namespace {

TEST(Utf8, ValidTextPasses) {
  EXPECT_EQ(text_problem(""), "");
  EXPECT_EQ(text_problem("lower extremity"), "");
  EXPECT_EQ(text_problem("Bj\xC3\xB6rk \xE2\x82\xAC \xF0\x9F\x98\x80"), "");  // o-umlaut, euro, emoji
}

TEST(Utf8, EachKindOfBadByteIsNamed) {
  EXPECT_EQ(text_problem(std::string("ab\0c", 4)), "a NUL byte at byte 3");
  EXPECT_EQ(text_problem("a\x80"), "invalid UTF-8 at byte 2");          // stray continuation
  EXPECT_EQ(text_problem("\xC0\xAF"), "invalid UTF-8 at byte 1");       // overlong '/'
  EXPECT_EQ(text_problem("\xED\xA0\x80"), "invalid UTF-8 at byte 1");   // a surrogate
  EXPECT_EQ(text_problem("\xF4\x90\x80\x80"), "invalid UTF-8 at byte 1");  // above U+10FFFF
  EXPECT_EQ(text_problem("ok\xE2\x82"), "invalid UTF-8 at byte 3");     // cut short
  EXPECT_EQ(text_problem("caf\xE9"), "invalid UTF-8 at byte 4");        // Latin-1
}

}  // namespace
}  // namespace hito
