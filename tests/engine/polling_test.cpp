// PROTOCOL.md 12.1: Protocol, XhrPolling, JSONEncoding (over xhr polling).
#include "../common/json_oracle.hpp"
#include "harness.hpp"

namespace sockjs_test {
namespace {

using sockjs_oracle::decode_json_string;
using sockjs_oracle::utf8;

std::string u_escape(uint32_t unit) {
  char buf[8];
  snprintf(buf, sizeof buf, "\\u%04x", unit);
  return buf;
}

// ------------------------------------------------------------- Protocol

TEST(Protocol, SimpleSession) {
  Harness h;
  sockjs_stream_id st = 0;
  Response r = h.post("/echo/000/simple/xhr", "", {}, &st);
  // The whole first answer, byte for byte.
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "o\n");
  EXPECT_TRUE(r.complete);
  ASSERT_EQ(h.events_of(SOCKJS_EVENT_OPEN).size(), 1u);
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_OPEN)[0].data, "xhr-polling");

  r = h.post("/echo/000/simple/xhr_send", "[\"a\"]");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_FALSE(r.has("Content-Length"));  // a 204 has no body delimiter

  r = h.post("/echo/000/simple/xhr");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "a[\"a\"]\n");

  r = h.post("/echo/000/bad_session/xhr_send", "[\"a\"]");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "404 Error: Page not found\n");
  expect_no_cache(r);

  // A parked poll, then a second one gets 2010 and ends; the first stays.
  sockjs_stream_id parked = 0;
  r = h.post("/echo/000/simple/xhr", "", {}, &parked);
  EXPECT_EQ(r.status, 0) << "the poll must stay parked";
  EXPECT_EQ(h.read(parked), "");
  r = h.post("/echo/000/simple/xhr");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "c[2010,\"Another connection still open\"]\n");
  EXPECT_EQ(h.read(parked), "");
  // The session and the parked poll go on.
  EXPECT_EQ(h.post("/echo/000/simple/xhr_send", "[\"b\"]").status, 204);
  auto got = h.response_on(parked);
  ASSERT_TRUE(got && got->complete);
  EXPECT_EQ(got->body, "a[\"b\"]\n");
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
}

TEST(Protocol, FirstPollIsByteExact) {
  Harness h;
  sockjs_stream_id st = h.open_stream();
  h.feed(st, http_request("POST", "/echo/000/exact/xhr", {}, std::string()));
  EXPECT_EQ(h.take_received(st),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/javascript; charset=UTF-8\r\n"
            "Cache-Control: no-store, no-cache, no-transform, "
            "must-revalidate, max-age=0\r\n"
            "Access-Control-Allow-Origin: *\r\n"
            "Vary: Origin\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "o\n");
}

TEST(Protocol, CloseSession) {
  Harness h;
  Response r = h.post("/close/000/cs/xhr");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "o\n");  // o alone, before the application's close
  r = h.post("/close/000/cs/xhr");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "c[3000,\"Go away!\"]\n");
  r = h.post("/close/000/cs/xhr");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "c[3000,\"Go away!\"]\n");
  // The session lingers until disconnect_delay, then ends once.
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_CLOSE).empty());
  h.advance(5000);
  auto closes = h.events_of(SOCKJS_EVENT_CLOSE);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].code, 3000);
  EXPECT_EQ(closes[0].data, "Go away!");
  // Forgotten: the next poll starts a new session.
  EXPECT_EQ(h.post("/close/000/cs/xhr").body, "o\n");
  h.advance(5000);
  h.expect_one_close_per_open();
}

// ------------------------------------------------------------ XhrPolling

TEST(XhrPolling, Options) {
  Harness h;
  for (const char* suffix : {"/xhr", "/xhr_send"}) {
    for (const char* origin : {"test", "null"}) {
      SCOPED_TRACE(std::string(suffix) + " " + origin);
      Response r = h.request(
          http_request("OPTIONS", std::string("/echo/abc/abc") + suffix,
                       {"Access-Control-Request-Method: OPTIONS, POST",
                        std::string("Origin: ") + origin}));
      EXPECT_EQ(r.status, 204);
      expect_long_cache(r);
      EXPECT_EQ(r.header("Access-Control-Max-Age").value_or(""), "31536000");
      EXPECT_EQ(r.header("Access-Control-Allow-Methods").value_or(""),
                "OPTIONS, POST");
      EXPECT_EQ(r.body, "");
      expect_cors(r, std::string(origin));
      expect_no_cookie(r);
    }
  }
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_OPEN).empty());
}

TEST(XhrPolling, Transport) {
  Harness h;
  Response r = h.post("/echo/000/xt/xhr", "", {"Origin: test"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "o\n");
  EXPECT_EQ(r.header("Content-Type").value_or(""),
            "application/javascript; charset=UTF-8");
  expect_cors(r, "test");
  expect_no_cache(r);

  r = h.post("/echo/000/xt/xhr_send", "[\"x\"]", {"Origin: test"});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/plain; charset=UTF-8");
  expect_cors(r, "test");
  expect_no_cache(r);

  r = h.post("/echo/000/xt/xhr");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "a[\"x\"]\n");
}

TEST(XhrPolling, InvalidSession) {
  Harness h;
  Response r = h.post("/echo/000/nosuch/xhr_send", "[\"x\"]", {"Origin: o"});
  EXPECT_EQ(r.status, 404);
  expect_no_cache(r);
  expect_cors(r, "o");
  EXPECT_TRUE(h.events_of(SOCKJS_EVENT_OPEN).empty());
}

TEST(XhrPolling, InvalidJson) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/ij/xhr").body, "o\n");
  Response r = h.post("/echo/000/ij/xhr_send", "[\"x");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "Broken JSON encoding.");
  expect_no_cache(r);
  r = h.post("/echo/000/ij/xhr_send", "");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "Payload expected.");
  // Valid JSON that is not an array.
  r = h.post("/echo/000/ij/xhr_send", "{\"a\":1}");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "Payload expected.");
  r = h.post("/echo/000/ij/xhr_send", "[\"a\"]");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(h.post("/echo/000/ij/xhr").body, "a[\"a\"]\n");
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_MESSAGE).size(), 1u);
}

TEST(XhrPolling, ContentTypes) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/ct/xhr").body, "o\n");
  const char* types[] = {"text/plain",
                         "T",
                         "application/json",
                         "application/xml",
                         "",
                         "application/json; charset=utf-8",
                         "text/xml; charset=utf-8",
                         "text/xml"};
  for (const char* ct : types) {
    Response r = h.post("/echo/000/ct/xhr_send", "[\"a\"]",
                        {std::string("Content-Type: ") + ct});
    EXPECT_EQ(r.status, 204) << ct;
    EXPECT_EQ(r.body, "");
  }
  EXPECT_EQ(h.post("/echo/000/ct/xhr").body,
            "a[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]\n");
}

TEST(XhrPolling, RequestHeadersCors) {
  Harness h;
  Response r = h.request(
      http_request("OPTIONS", "/echo/000/rh1/xhr",
                   {"Origin: test", "Access-Control-Request-Method: POST",
                    "Access-Control-Request-Headers: a, b, c"}));
  EXPECT_EQ(r.status, 204);
  expect_cors(r, "test");
  EXPECT_EQ(r.header("Access-Control-Allow-Headers").value_or(""), "a, b, c");

  r = h.request(
      http_request("OPTIONS", "/echo/000/rh2/xhr",
                   {"Origin: test", "Access-Control-Request-Method: POST",
                    "Access-Control-Request-Headers: "}));
  EXPECT_EQ(r.status, 204);
  expect_cors(r, "test");
  EXPECT_FALSE(r.has("Access-Control-Allow-Headers"));

  r = h.request(
      http_request("OPTIONS", "/echo/000/rh3/xhr",
                   {"Origin: test", "Access-Control-Request-Method: POST"}));
  EXPECT_EQ(r.status, 204);
  expect_cors(r, "test");
  EXPECT_FALSE(r.has("Access-Control-Allow-Headers"));
}

TEST(XhrPolling, SendingEmptyFrame) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/ef/xhr").body, "o\n");
  EXPECT_EQ(h.post("/echo/000/ef/xhr_send", "[]").status, 204);
  EXPECT_EQ(h.post("/echo/000/ef/xhr_send", "[\"a\"]").status, 204);
  EXPECT_EQ(h.post("/echo/000/ef/xhr").body, "a[\"a\"]\n");
  EXPECT_EQ(h.events_of(SOCKJS_EVENT_MESSAGE).size(), 1u);
}

TEST(XhrPolling, GetIs405) {
  Harness h;
  Response r = h.get("/echo/000/g/xhr");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow").value_or(""), "OPTIONS, POST");
  EXPECT_FALSE(r.has("Content-Type"));
  EXPECT_EQ(r.body, "");
}

TEST(XhrPolling, PostWithoutLengthIsEmptyBody) {
  // http-quirks.py: a POST with neither Content-Length nor
  // Transfer-Encoding has an empty body, and /xhr still answers.
  Harness h;
  Response r = h.request("POST /echo/000/nl/xhr HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "o\n");
}

TEST(XhrPolling, QueuedMessagesGoTogether) {
  Harness h;
  h.set_echo(false);
  EXPECT_EQ(h.post("/echo/000/q/xhr").body, "o\n");
  sockjs_conn_id c = h.last_open();
  EXPECT_EQ(sockjs_conn_send(h.server(), c, "one", 3), SOCKJS_OK);
  EXPECT_EQ(sockjs_conn_send(h.server(), c, "two", 3), SOCKJS_OK);
  EXPECT_EQ(h.post("/echo/000/q/xhr").body, "a[\"one\",\"two\"]\n");
  // A parked poll gets a message as soon as it is sent.
  sockjs_stream_id st = 0;
  EXPECT_EQ(h.post("/echo/000/q/xhr", "", {}, &st).status, 0);
  EXPECT_EQ(sockjs_conn_send(h.server(), c, "3", 1), SOCKJS_OK);
  auto r = h.response_on(st);
  ASSERT_TRUE(r && r->complete);
  EXPECT_EQ(r->body, "a[\"3\"]\n");
}

// ---------------------------------------------------------- JSONEncoding

TEST(JSONEncoding, XhrServerEncodes) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/enc/xhr").body, "o\n");
  std::string raw, escaped = "\"";
  for (uint32_t i = 255; i < 65536; ++i) {
    bool esc = (i >= 0x200C && i <= 0x200F) || (i >= 0x2028 && i <= 0x202F) ||
               (i >= 0x2060 && i <= 0x206F) || (i >= 0xFFF0 && i <= 0xFFFF);
    if (!esc) continue;
    raw += utf8(i);
    escaped += u_escape(i);
  }
  escaped += "\"";
  Response r = h.post("/echo/000/enc/xhr_send", "[\"" + raw + "\"]");
  EXPECT_EQ(r.status, 204);
  r = h.post("/echo/000/enc/xhr");
  EXPECT_EQ(r.body, "a[" + escaped + "]\n");
}

TEST(JSONEncoding, ServerEscapesControlsAndAstral) {
  Harness h;
  h.set_echo(false);
  EXPECT_EQ(h.post("/echo/000/ctl/xhr").body, "o\n");
  std::string msg("\"\\/\b\f\n\r\t\x01\x1f", 10);
  msg.push_back('\0');
  msg += utf8(0x1F600) + utf8(0xE9);
  ASSERT_EQ(sockjs_conn_send(h.server(), h.last_open(), msg.data(), msg.size()),
            SOCKJS_OK);
  EXPECT_EQ(h.post("/echo/000/ctl/xhr").body,
            "a[\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\\u0000"
            "\\ud83d\\ude00" +
                utf8(0xE9) + "\"]\n");
}

// The characters sockjs-client escapes (the suite's escapable_by_client).
bool escapable_by_client(uint32_t c) {
  static const uint32_t kRanges[][2] = {
      {0x22, 0x22},     {0x5C, 0x5C},     {0x00, 0x1F},     {0x7F, 0x9F},
      {0xAD, 0xAD},     {0x600, 0x604},   {0x70F, 0x70F},   {0x17B4, 0x17B5},
      {0x2000, 0x20FF}, {0xFEFF, 0xFEFF}, {0xFFF0, 0xFFFF}, {0x300, 0x333},
      {0x33D, 0x346},   {0x34A, 0x34C},   {0x350, 0x352},   {0x357, 0x358},
      {0x35C, 0x362},   {0x374, 0x374},   {0x37E, 0x37E},   {0x387, 0x387},
      {0x591, 0x5AF},   {0x5C4, 0x5C4},   {0x610, 0x617},   {0x653, 0x654},
      {0x657, 0x65B},   {0x65D, 0x65E},   {0x6DF, 0x6E2},   {0x6EB, 0x6EC},
      {0x730, 0x730},   {0x732, 0x733},   {0x735, 0x736},   {0x73A, 0x73A},
      {0x73D, 0x73D},   {0x73F, 0x741},   {0x743, 0x743},   {0x745, 0x745},
      {0x747, 0x747},   {0x7EB, 0x7F1},   {0x951, 0x951},   {0x958, 0x95F},
      {0x9DC, 0x9DD},   {0x9DF, 0x9DF},   {0xA33, 0xA33},   {0xA36, 0xA36},
      {0xA59, 0xA5B},   {0xA5E, 0xA5E},   {0xB5C, 0xB5D},   {0xE38, 0xE39},
      {0xF43, 0xF43},   {0xF4D, 0xF4D},   {0xF52, 0xF52},   {0xF57, 0xF57},
      {0xF5C, 0xF5C},   {0xF69, 0xF69},   {0xF72, 0xF76},   {0xF78, 0xF78},
      {0xF80, 0xF83},   {0xF93, 0xF93},   {0xF9D, 0xF9D},   {0xFA2, 0xFA2},
      {0xFA7, 0xFA7},   {0xFAC, 0xFAC},   {0xFB9, 0xFB9},   {0x1939, 0x193A},
      {0x1A17, 0x1A17}, {0x1B6B, 0x1B6B}, {0x1CDA, 0x1CDB}, {0x1DC0, 0x1DCF},
      {0x1DFC, 0x1DFC}, {0x1DFE, 0x1DFE}, {0x1F71, 0x1F71}, {0x1F73, 0x1F73},
      {0x1F75, 0x1F75}, {0x1F77, 0x1F77}, {0x1F79, 0x1F79}, {0x1F7B, 0x1F7B},
      {0x1F7D, 0x1F7D}, {0x1FBB, 0x1FBB}, {0x1FBE, 0x1FBE}, {0x1FC9, 0x1FC9},
      {0x1FCB, 0x1FCB}, {0x1FD3, 0x1FD3}, {0x1FDB, 0x1FDB}, {0x1FE3, 0x1FE3},
      {0x1FEB, 0x1FEB}, {0x1FEE, 0x1FEF}, {0x1FF9, 0x1FF9}, {0x1FFB, 0x1FFB},
      {0x1FFD, 0x1FFD}, {0x2126, 0x2126}, {0x212A, 0x212B}, {0x2329, 0x232A},
      {0x2ADC, 0x2ADC}, {0x302B, 0x302C}, {0xAAB2, 0xAAB3}, {0xF900, 0xFA0D},
      {0xFA10, 0xFA10}, {0xFA12, 0xFA12}, {0xFA15, 0xFA1E}, {0xFA20, 0xFA20},
      {0xFA22, 0xFA22}, {0xFA25, 0xFA26}, {0xFA2A, 0xFA2D}, {0xFA30, 0xFA6D},
      {0xFA70, 0xFAD9}, {0xFB1D, 0xFB1D}, {0xFB1F, 0xFB1F}, {0xFB2A, 0xFB36},
      {0xFB38, 0xFB3C}, {0xFB3E, 0xFB3E}, {0xFB40, 0xFB41}, {0xFB43, 0xFB44},
      {0xFB46, 0xFB4E}};
  for (const auto& r : kRanges)
    if (c >= r[0] && c <= r[1]) return true;
  return false;
}

TEST(JSONEncoding, XhrServerDecodes) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/dec/xhr").body, "o\n");
  std::string escaped = "\"", expected;
  for (uint32_t i = 0; i < 65536; ++i) {
    if (!escapable_by_client(i)) continue;
    escaped += u_escape(i);
    expected += utf8(i);
  }
  escaped += "\"";
  ASSERT_GT(expected.size(), 1000u);
  Response r = h.post("/echo/000/dec/xhr_send", "[" + escaped + "]");
  EXPECT_EQ(r.status, 204);
  // The application got the decoded text, NUL included.
  auto msgs = h.events_of(SOCKJS_EVENT_MESSAGE);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].data.size(), expected.size());
  EXPECT_TRUE(msgs[0].data == expected);
  EXPECT_EQ(msgs[0].data[0], '\0');
  // And the echo decodes to the same string.
  r = h.post("/echo/000/dec/xhr");
  ASSERT_GE(r.body.size(), 4u);
  EXPECT_EQ(r.body.substr(0, 2), "a[");
  EXPECT_EQ(r.body.substr(r.body.size() - 2), "]\n");
  size_t pos = 2;
  std::string echoed;
  ASSERT_TRUE(decode_json_string(r.body, pos, echoed));
  EXPECT_EQ(pos, r.body.size() - 2);
  EXPECT_TRUE(echoed == expected);
}

TEST(JSONEncoding, SurrogatePairEscapesDecode) {
  Harness h;
  EXPECT_EQ(h.post("/echo/000/sp/xhr").body, "o\n");
  EXPECT_EQ(
      h.post("/echo/000/sp/xhr_send", "[\"\\ud83d\\ude00\\uFFFE\"]").status,
      204);
  auto msgs = h.events_of(SOCKJS_EVENT_MESSAGE);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].data, utf8(0x1F600) + utf8(0xFFFE));
  EXPECT_EQ(h.post("/echo/000/sp/xhr").body, "a[\"\\ud83d\\ude00\\ufffe\"]\n");
}

}  // namespace
}  // namespace sockjs_test
