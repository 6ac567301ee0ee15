#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "codec/json.hpp"
#include "codec/utf8.hpp"

namespace sockjs::codec {
namespace {

using namespace std::string_view_literals;
using Messages = std::vector<std::string>;

std::string utf8(std::uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

std::string u_escape(std::uint32_t unit) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) s += kHex[(unit >> shift) & 0xF];
  return s;
}

std::string message(std::string_view text) {
  std::string out;
  append_json_message(out, text);
  return out;
}

std::string plain(std::string_view text, bool escape_lt = false) {
  std::string out;
  append_json_plain(out, text, escape_lt);
  return out;
}

struct Decoded {
  DecodeStatus status;
  Messages messages;
};

Decoded decode(std::string_view text, DecodeMode mode = DecodeMode::array) {
  Decoded d{DecodeStatus::ok, {}};
  d.status = decode_messages(text, mode, d.messages);
  return d;
}

// Expects text to decode to exactly the given messages.
void expect_ok(std::string_view text, const Messages& expected,
               DecodeMode mode = DecodeMode::array) {
  const Decoded d = decode(text, mode);
  EXPECT_EQ(d.status, DecodeStatus::ok) << text;
  EXPECT_EQ(d.messages, expected) << text;
}

void expect_status(std::string_view text, DecodeStatus status,
                   DecodeMode mode = DecodeMode::array) {
  Messages out = {"keep"};
  EXPECT_EQ(decode_messages(text, mode, out), status) << text;
  EXPECT_EQ(out, Messages{"keep"}) << "out changed for " << text;
}

// --- append_json_message -------------------------------------------------

TEST(AppendJsonMessage, PlainAscii) {
  EXPECT_EQ(message(""), "\"\"");
  EXPECT_EQ(message("hello"), "\"hello\"");
  EXPECT_EQ(message("a/b</script>"), "\"a/b</script>\"");
  const std::string long_text(100, 'x');
  EXPECT_EQ(message(long_text), "\"" + long_text + "\"");
}

TEST(AppendJsonMessage, AppendsToExistingContent) {
  std::string out = "a[";
  append_json_message(out, "x");
  out += ',';
  append_json_message(out, "y\n");
  out += ']';
  EXPECT_EQ(out, "a[\"x\",\"y\\n\"]");
}

TEST(AppendJsonMessage, QuoteAndBackslash) {
  EXPECT_EQ(message("\""), R"("\"")");
  EXPECT_EQ(message("\\"), R"("\\")");
  EXPECT_EQ(message("a\"b\\c"), R"("a\"b\\c")");
}

TEST(AppendJsonMessage, ShortControlEscapes) {
  EXPECT_EQ(message("\b\f\n\r\t"), R"("\b\f\n\r\t")");
}

TEST(AppendJsonMessage, OtherControlsAreLowercaseUnicodeEscapes) {
  EXPECT_EQ(message("\0"sv), R"("\u0000")");
  EXPECT_EQ(message("\x01"), R"("\u0001")");
  EXPECT_EQ(message("\x0b"), R"("\u000b")");
  EXPECT_EQ(message("\x1f"), R"("\u001f")");
  for (std::uint32_t c = 0; c < 0x20; ++c) {
    const std::string out = message(std::string(1, static_cast<char>(c)));
    if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
      EXPECT_EQ(out.size(), 4u) << c;
    } else {
      EXPECT_EQ(out, "\"" + u_escape(c) + "\"") << c;
    }
  }
  // DEL and C1 controls go out raw.
  EXPECT_EQ(message("\x7F"), "\"\x7F\"");
  EXPECT_EQ(message(utf8(0x85)), "\"" + utf8(0x85) + "\"");
}

TEST(AppendJsonMessage, EscapesSockjsRanges) {
  const std::uint32_t ranges[][2] = {
      {0x200C, 0x200F}, {0x2028, 0x202F}, {0x2060, 0x206F}, {0xFFF0, 0xFFFF}};
  for (const auto& range : ranges) {
    for (std::uint32_t cp = range[0]; cp <= range[1]; ++cp) {
      EXPECT_EQ(message(utf8(cp)), "\"" + u_escape(cp) + "\"") << cp;
    }
  }
  EXPECT_EQ(message(utf8(0x200C)), R"("\u200c")");
  EXPECT_EQ(message(utf8(0x2028) + utf8(0x2029)), R"("\u2028\u2029")");
  EXPECT_EQ(message(utf8(0x206F)), R"("\u206f")");
  EXPECT_EQ(message(utf8(0xFFFF)), R"("\uffff")");
}

TEST(AppendJsonMessage, NeighboursOfRangesStayRaw) {
  for (std::uint32_t cp :
       {0x00FFu, 0x200Bu, 0x2010u, 0x2027u, 0x2030u, 0x205Fu, 0x2070u, 0x20ACu,
        0xFEFFu, 0xFFEFu, 0x00E9u, 0x4E2Du, 0xD7FFu, 0xE000u}) {
    EXPECT_EQ(message(utf8(cp)), "\"" + utf8(cp) + "\"") << cp;
  }
}

TEST(AppendJsonMessage, AstralCharactersAreSurrogatePairs) {
  EXPECT_EQ(message(utf8(0x1F600)), R"("\ud83d\ude00")");
  EXPECT_EQ(message(utf8(0x10000)), R"("\ud800\udc00")");
  EXPECT_EQ(message(utf8(0x10FFFF)), R"("\udbff\udfff")");
  EXPECT_EQ(message("a" + utf8(0x1F600) + "b"), R"("a\ud83d\ude00b")");
}

TEST(AppendJsonMessage, SuiteSampleIsExact) {
  // What JSONEncoding.test_xhr_server_encodes checks: every character from
  // U+00FF up that falls in the escaped ranges, in one message.
  std::string text, expected = "\"";
  for (std::uint32_t cp = 0x00FF; cp <= 0xFFFF; ++cp) {
    if ((cp >= 0x200C && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
        (cp >= 0x2060 && cp <= 0x206F) || cp >= 0xFFF0) {
      text += utf8(cp);
      expected += u_escape(cp);
    }
  }
  expected += '"';
  EXPECT_EQ(message(text), expected);
}

TEST(AppendJsonMessage, EscapesAtEveryOffset) {
  // Specials before, on and after the eight-byte word boundaries.
  for (std::size_t pad = 0; pad < 20; ++pad) {
    const std::string a(pad, 'a'), b(pad, 'b');
    EXPECT_EQ(message(a + "\n" + b), "\"" + a + "\\n" + b + "\"");
    EXPECT_EQ(message(a + utf8(0x2028) + b), "\"" + a + "\\u2028" + b + "\"");
    EXPECT_EQ(message(a + utf8(0xE9) + b), "\"" + a + utf8(0xE9) + b + "\"");
    EXPECT_EQ(message(a + utf8(0x1F600)), "\"" + a + "\\ud83d\\ude00\"");
  }
}

TEST(AppendJsonMessage, MalformedInputStaysInsideTheString) {
  // Not valid UTF-8 (outside the contract), but a lead byte must not swallow
  // the characters after it.
  EXPECT_EQ(message("\xF0\""), "\"\xF0\\\"\"");
  EXPECT_EQ(message("\xE2\x80"), "\"\xE2\x80\"");
  EXPECT_EQ(message("\xEF"), "\"\xEF\"");
}

// --- append_json_plain ---------------------------------------------------

TEST(AppendJsonPlain, StringifyEscapesOnly) {
  EXPECT_EQ(plain("Go away!"), "\"Go away!\"");
  EXPECT_EQ(plain("\"\\\b\f\n\r\t"), R"("\"\\\b\f\n\r\t")");
  EXPECT_EQ(plain("\0\x01\x1f"sv), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(plain("a/b"), "\"a/b\"");
  for (std::uint32_t cp :
       {0x200Cu, 0x2028u, 0x2060u, 0xFEFFu, 0xFFFFu, 0x1F600u, 0xFFu}) {
    EXPECT_EQ(plain(utf8(cp)), "\"" + utf8(cp) + "\"") << cp;
  }
}

TEST(AppendJsonPlain, EscapeLt) {
  EXPECT_EQ(plain("</script>"), "\"</script>\"");
  EXPECT_EQ(plain("</script>", true), R"("\u003c/script>")");
  EXPECT_EQ(plain("a<b<\n", true), R"("a\u003cb\u003c\n")");
  const std::string pad(13, 'p');
  EXPECT_EQ(plain(pad + "<" + pad, true), "\"" + pad + "\\u003c" + pad + "\"");
}

TEST(AppendJsonPlain, DoubleEncodingOfAFrame) {
  // htmlfile and jsonp send frames as JSON strings of their own.
  std::string frame = "a";
  std::string array = "[";
  append_json_message(array, "x\"y");
  array += "]";
  frame += array;
  EXPECT_EQ(plain(frame), R"("a[\"x\\\"y\"]")");
}

// --- decode_messages: array mode -----------------------------------------

TEST(DecodeArray, Strings) {
  expect_ok(R"(["a","b"])", {"a", "b"});
  expect_ok(R"(["x"])", {"x"});
  expect_ok(R"([""])", {""});
  expect_ok("[]", {});
  expect_ok(" \t\r\n[ \"a\" ,\n\"b\" ] \n", {"a", "b"});
  expect_ok("[ ]", {});
}

TEST(DecodeArray, AppendsAfterExistingMessages) {
  Messages out = {"old"};
  EXPECT_EQ(decode_messages(R"(["new"])", DecodeMode::array, out),
            DecodeStatus::ok);
  EXPECT_EQ(out, (Messages{"old", "new"}));
}

TEST(DecodeArray, NonStringElementsKeepTheirText) {
  expect_ok(R"([1,{"x":2},null,true])", {"1", "{\"x\":2}", "null", "true"});
  expect_ok(R"([ -1.5e+3 , false , [1, [2]] , { "a" : [ ] } ])",
            {"-1.5e+3", "false", "[1, [2]]", "{ \"a\" : [ ] }"});
  expect_ok("[0,-0,0.5,1E5,2e-7,123]",
            {"0", "-0", "0.5", "1E5", "2e-7", "123"});
}

TEST(DecodeArray, Escapes) {
  expect_ok(R"(["\"\\\/\b\f\n\r\t"])", {"\"\\/\b\f\n\r\t"});
  expect_ok(R"(["\u0041\u00e9\u20AC"])", {"A" + utf8(0xE9) + utf8(0x20AC)});
  expect_ok(R"(["a\u0000b"])", {std::string("a\0b", 3)});
  expect_ok(R"(["\ud83d\ude00"])", {utf8(0x1F600)});
  expect_ok(R"(["\uD83D\uDE00"])", {utf8(0x1F600)});
  expect_ok(R"(["\ufffe\uffff"])", {utf8(0xFFFE) + utf8(0xFFFF)});
  expect_ok(R"(["\ufeff"])", {utf8(0xFEFF)});
}

TEST(DecodeArray, LoneSurrogatesBecomeReplacementCharacter) {
  const std::string fffd = utf8(0xFFFD);
  expect_ok(R"(["\ud800"])", {fffd});
  expect_ok(R"(["\udc00"])", {fffd});
  expect_ok(R"(["a\ud800b"])", {"a" + fffd + "b"});
  expect_ok(R"(["\ud800\u0041"])", {fffd + "A"});
  expect_ok(R"(["\ud800\ud800\udc00"])", {fffd + utf8(0x10000)});
  expect_ok(R"(["\ude00\ud83d"])", {fffd + fffd});
  expect_ok(R"(["\ud800\n"])", {fffd + "\n"});
}

TEST(DecodeArray, RawUtf8) {
  const std::string text = utf8(0xE9) + utf8(0x2028) + utf8(0xFFFF) +
                           utf8(0x1F600) + std::string("\0", 1);
  // Raw NUL inside a string is a control character, so leave it out here.
  const std::string no_nul = text.substr(0, text.size() - 1);
  expect_ok("[\"" + no_nul + "\"]", {no_nul});
}

TEST(DecodeArray, InvalidUtf8IsBroken) {
  expect_status("[\"\xC3\"]", DecodeStatus::broken);
  expect_status("[\"\xED\xA0\x80\"]", DecodeStatus::broken);
  expect_status("[\"\xC0\x80\"]", DecodeStatus::broken);
  expect_status("[\"\xF4\x90\x80\x80\"]", DecodeStatus::broken);
  expect_status("[\"a\"]\xFF", DecodeStatus::broken);
  expect_status("[\xC3\xA9]", DecodeStatus::broken);
}

TEST(DecodeArray, BrokenJson) {
  for (std::string_view text : {R"(["a)",
                                "[",
                                "]",
                                "[\"a\"",
                                "[\"a\",]",
                                "[,\"a\"]",
                                "[\"a\" \"b\"]",
                                "[\"a\"]]",
                                "[\"a\"] x",
                                "[\"a\"][]",
                                "[\"\\x\"]",
                                "[\"\\u12\"]",
                                "[\"\\u12g4\"]",
                                "[\"\\",
                                "[\"a\nb\"]",
                                "[\"a\tb\"]",
                                "[\"\x01\"]",
                                "['a']",
                                "[tru]",
                                "[nul]",
                                "[True]",
                                "[undefined]",
                                "[NaN]",
                                "[Infinity]",
                                "[{]",
                                "[{\"a\"}]",
                                "[{\"a\":}]",
                                "[{\"a\":1,}]",
                                "[{a:1}]",
                                "[{\"a\" 1}]",
                                "[1 2]",
                                " ",
                                "",
                                "\xEF\xBB\xBF[]",
                                "[\"a\"]\x0b",
                                "[\"a\"]\f"}) {
    expect_status(text, DecodeStatus::broken);
  }
}

TEST(DecodeArray, NumbersFollowTheGrammar) {
  for (std::string_view text :
       {"[01]", "[1.]", "[-]", "[.5]", "[+1]", "[1e]", "[1e+]", "[-01]",
        "[0x10]", "[1.e3]", "[--1]", "[1.5.5]", "[00]", "[-a]"}) {
    expect_status(text, DecodeStatus::broken);
  }
  expect_ok("[-0.0e-0]", {"-0.0e-0"});
  expect_ok("[10,1.25,3E+10]", {"10", "1.25", "3E+10"});
}

TEST(DecodeArray, NotAnArray) {
  for (std::string_view text :
       {"{}", R"({"a":["b"]})", R"("abc")", "null", "1", "true", " false "}) {
    expect_status(text, DecodeStatus::not_array);
  }
  // Broken beats not_array.
  expect_status("{} x", DecodeStatus::broken);
  expect_status(R"({"a")", DecodeStatus::broken);
}

std::string nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

TEST(DecodeArray, NestingLimit) {
  // The outer array is level 1.
  expect_ok(nested(64), {nested(63)});
  expect_status(nested(65), DecodeStatus::broken);
  expect_status(nested(100000), DecodeStatus::broken);
  std::string objects = "[";
  for (int i = 0; i < 63; ++i) objects += "{\"k\":";
  objects += "1";
  objects += std::string(63, '}');
  objects += "]";
  EXPECT_EQ(decode(objects).status, DecodeStatus::ok);
  std::string too_deep = "[";
  for (int i = 0; i < 64; ++i) too_deep += "{\"k\":";
  too_deep += "1";
  too_deep += std::string(64, '}');
  too_deep += "]";
  expect_status(too_deep, DecodeStatus::broken);
}

TEST(DecodeArray, FailureLeavesOutUntouched) {
  expect_status(R"(["a","b",)", DecodeStatus::broken);
  expect_status(R"(["a","b\q"])", DecodeStatus::broken);
  expect_status(R"(["a"] ["b"])", DecodeStatus::broken);
  expect_status(R"(["a", [)", DecodeStatus::broken);
}

TEST(DecodeArray, LongStringsAcrossWordBoundaries) {
  for (std::size_t pad = 0; pad < 20; ++pad) {
    const std::string a(pad, 'a');
    expect_ok("[\"" + a + "\"]", {a});
    expect_ok("[\"" + a + "\\n" + a + "\"]", {a + "\n" + a});
    expect_ok("[\"" + a + "\\\"" + a + "\"]", {a + "\"" + a});
    expect_status("[\"" + a + "\n" + a + "\"]", DecodeStatus::broken);
    expect_status("[\"" + a, DecodeStatus::broken);
  }
}

// --- decode_messages: websocket mode -------------------------------------

TEST(DecodeWebsocket, ArraysGiveTheirElements) {
  expect_ok(R"(["a","b"])", {"a", "b"}, DecodeMode::websocket);
  expect_ok("[]", {}, DecodeMode::websocket);
  expect_ok("[1,{\"x\":2}]", {"1", "{\"x\":2}"}, DecodeMode::websocket);
}

TEST(DecodeWebsocket, OtherValuesAreOneMessage) {
  expect_ok(R"("abc")", {"abc"}, DecodeMode::websocket);
  expect_ok(R"( "a\u0000\n" )", {std::string("a\0\n", 3)},
            DecodeMode::websocket);
  expect_ok("42", {"42"}, DecodeMode::websocket);
  expect_ok(" {\"x\": [1]} ", {"{\"x\": [1]}"}, DecodeMode::websocket);
  expect_ok("null", {"null"}, DecodeMode::websocket);
}

TEST(DecodeWebsocket, Broken) {
  for (std::string_view text :
       {R"(["a)", "abc", R"("abc)", "{", "1 2", "\"a\" \"b\"", "", "  "}) {
    expect_status(text, DecodeStatus::broken, DecodeMode::websocket);
  }
}

// --- decode_messages: jsonp mode -----------------------------------------

TEST(DecodeJsonp, PlainArray) {
  expect_ok(R"(["x"])", {"x"}, DecodeMode::jsonp);
  expect_ok("[]", {}, DecodeMode::jsonp);
}

TEST(DecodeJsonp, StringHoldingAnArray) {
  expect_ok(R"("[\"x\"]")", {"x"}, DecodeMode::jsonp);
  expect_ok(R"( "[\"a\",\"b\\n\"]" )", {"a", "b\n"}, DecodeMode::jsonp);
  expect_ok(R"("[]")", {}, DecodeMode::jsonp);
  expect_ok(R"("[1,null]")", {"1", "null"}, DecodeMode::jsonp);
}

TEST(DecodeJsonp, Errors) {
  expect_status(R"("[\"x")", DecodeStatus::broken, DecodeMode::jsonp);
  expect_status(R"("abc")", DecodeStatus::broken, DecodeMode::jsonp);
  expect_status(R"("[\"x\"]" x)", DecodeStatus::broken, DecodeMode::jsonp);
  expect_status(R"(["x")", DecodeStatus::broken, DecodeMode::jsonp);
  // Only one extra level: a string inside the string is not an array.
  expect_status(R"("\"[]\"")", DecodeStatus::not_array, DecodeMode::jsonp);
  expect_status(R"("{}")", DecodeStatus::not_array, DecodeMode::jsonp);
  expect_status("{}", DecodeStatus::not_array, DecodeMode::jsonp);
  expect_status("1", DecodeStatus::not_array, DecodeMode::jsonp);
  // sockjs-node skips the second parse for "", and "" is no array.
  expect_status(R"("")", DecodeStatus::not_array, DecodeMode::jsonp);
}

// --- round trips ---------------------------------------------------------

std::uint32_t random_code_point(std::mt19937& rng) {
  auto in = [&rng](std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
  };
  switch (in(0, 9)) {
    case 0:
      return in(0, 0x1F);  // controls, NUL included
    case 1:
      return "\"\\/<>'"[in(0, 5)];
    case 2:
      return in(0x20, 0x7F);
    case 3:
      return in(0x80, 0x7FF);
    case 4: {
      static constexpr std::uint32_t kSpecial[][2] = {
          {0x200C, 0x200F}, {0x2028, 0x202F}, {0x2060, 0x206F},
          {0xFFF0, 0xFFFF}, {0xFEFF, 0xFEFF}, {0x2000, 0x20FF}};
      const auto& r = kSpecial[in(0, 5)];
      return in(r[0], r[1]);
    }
    case 5: {
      const std::uint32_t cp = in(0x800, 0xFFFF);
      return cp >= 0xD800 && cp <= 0xDFFF ? cp + 0x800 : cp;
    }
    case 6:
      return in(0x10000, 0x10FFFF);
    case 7:
      return in(0x1F600, 0x1F64F);
    default:
      return in(0x61, 0x7A);  // plenty of plain runs
  }
}

TEST(RoundTrip, RandomStrings) {
  std::mt19937 rng(12345);
  for (int iteration = 0; iteration < 4000; ++iteration) {
    const int length = std::uniform_int_distribution<int>(0, 40)(rng);
    std::string original;
    for (int i = 0; i < length; ++i) original += utf8(random_code_point(rng));
    ASSERT_TRUE(utf8_valid(original));

    std::string array = "[";
    append_json_message(array, original);
    array += ',';
    append_json_plain(array, original, iteration % 2 == 0);
    array += ']';
    // Escaped messages must travel as ASCII plus harmless raw characters.
    ASSERT_TRUE(utf8_valid(array));

    Messages out;
    ASSERT_EQ(decode_messages(array, DecodeMode::array, out), DecodeStatus::ok)
        << array;
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], original) << array;
    EXPECT_EQ(out[1], original) << array;

    // A double-encoded frame survives jsonp mode.
    std::string jsonp;
    append_json_plain(jsonp, array);
    Messages again;
    ASSERT_EQ(decode_messages(jsonp, DecodeMode::jsonp, again),
              DecodeStatus::ok);
    EXPECT_EQ(again, out);
  }
}

}  // namespace
}  // namespace sockjs::codec
