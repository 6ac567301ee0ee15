#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/: one file per interesting input.

feed seeds use the record format of fuzz_feed.cpp: [ctl][len][bytes] ...,
where ctl bit 0 picks one of two streams, bit 1 advances the clock by
(ctl >> 2) seconds, and ctl & 0xF0 == 0xF0 closes and reopens the stream.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def records(*parts):
    out = b""
    for ctl, data in parts:
        while True:
            chunk, data = data[:255], data[255:]
            out += bytes([ctl, len(chunk)]) + chunk
            if not data:
                break
    return out


def req(method, path, headers=(), body=b""):
    h = "".join(f"{k}: {v}\r\n" for k, v in headers)
    if body or method == "POST":
        h += f"Content-Length: {len(body)}\r\n"
    return f"{method} {path} HTTP/1.1\r\nHost: x\r\n{h}\r\n".encode() + body


def masked(payload, opcode=1):
    key = b"\x01\x02\x03\x04"
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    else:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


WS_UP = (("Upgrade", "websocket"), ("Connection", "Upgrade"),
         ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", "x3JJHMbDL1EzLkh9GBhXDw=="))

feed = {
    "greeting": records((0, req("GET", "/echo")), (0, req("GET", "/echo/"))),
    "info": records((0, req("GET", "/echo/info", [("Origin", "null")])),
                    (0, req("OPTIONS", "/echo/info"))),
    "iframe": records((0, req("GET", "/echo/iframe.html")),
                      (0, req("GET", "/echo/iframe-1.2.html?t=1"))),
    "xhr": records((0, req("POST", "/echo/000/s1/xhr")),
                   (1, req("POST", "/echo/000/s1/xhr_send", body=b'["a","b"]')),
                   (0, req("POST", "/echo/000/s1/xhr")),
                   (6, b"")),
    "xhr_streaming": records((0, req("POST", "/echo/000/s2/xhr_streaming")),
                             (1, req("POST", "/echo/000/s2/xhr_send", body=b'["x"]')),
                             (1, req("POST", "/echo/000/s2/xhr_streaming"))),
    "eventsource": records((0, req("GET", "/echo/000/s3/eventsource")),
                           (1, req("POST", "/echo/000/s3/xhr_send", body=b'["%\\u0000"]'))),
    "htmlfile": records((0, req("GET", "/echo/000/s4/htmlfile?c=%63allback")),
                        (1, req("GET", "/echo/000/s5/htmlfile?c=a("))),
    "jsonp": records((0, req("GET", "/echo/000/s6/jsonp?c=cb")),
                     (1, req("POST", "/echo/000/s6/jsonp_send",
                             [("Content-Type", "application/x-www-form-urlencoded")],
                             b"d=%5B%22x%22%5D")),
                     (0, req("GET", "/echo/000/s6/jsonp?c=cb"))),
    "close": records((0, req("POST", "/close/000/s7/xhr")), (0, req("POST", "/close/000/s7/xhr"))),
    "websocket": records((0, req("GET", "/echo/000/s8/websocket", WS_UP)),
                         (0, masked(b'["hello"]')), (0, masked(b"")), (0, masked(b'["a')),),
    "raw_websocket": records((0, req("GET", "/echo/websocket", WS_UP)),
                             (0, masked("Hello world!\uffff".encode())),
                             (0, masked(b"\x03\xe8", 8))),
    "hixie": records((0, req("GET", "/echo/000/s9/websocket",
                             [("Upgrade", "WebSocket"), ("Connection", "Upgrade"),
                              ("Origin", "http://x"), ("Sec-WebSocket-Key1", "4 @1  46546xW%0l 1 5"),
                              ("Sec-WebSocket-Key2", "12998 5 Y3 1  .P00")])),
                     (0, b"aaaaaaaa\x00[\"x\"]\xff\xff\x00")),
    "http10": records((0, b"GET /echo HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"),
                      (0, b"POST /close/0/h/xhr_streaming HTTP/1.0\r\n\r\n")),
    "pipelined": records((0, req("GET", "/echo") + req("GET", "/echo/info") +
                          req("POST", "/echo/000/s10/xhr") + req("GET", "/echo"))),
    "chunked_body": records((0, b"POST /echo/000/s11/xhr HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"),
                            (1, b"POST /echo/000/s11/xhr_send HTTP/1.1\r\nHost: x\r\n"
                                b"Transfer-Encoding: chunked\r\n\r\n4\r\n[\"a\"\r\n1\r\n]\r\n0\r\n\r\n")),
    "timeouts": records((0, req("POST", "/echo/000/s12/xhr")), (0x66, b""), (0x66, b""),
                        (0, b"GET /echo HTTP/1.1\r\nHo"), (0xFE, b"")),
    "bad": records((0, b"\x00\x01 garbage\r\n\r\n"), (1, b"GET / HTTP/1.1\r\nA: " + b"x" * 600)),
}
ws = {
    "text": b"\x01" + masked(b'["a"]'),
    "fragmented": b"\x03" + masked(b"ab")[:0] + bytes([0x01 | 0x00, 0x82]) + b"\0\0\0\0ab"
                  + bytes([0x80, 0x81]) + b"\0\0\0\0c",
    "ping_close": b"\x05" + masked(b"p", 9) + masked(b"\x03\xe8bye", 8),
    "hixie": b"\x02\x00hello\xff\xff\x00",
    "unmasked": b"\x01\x81\x01a",
}
json = {
    "strings": b'["a","\\u0000","\\ud83d\\ude00","\\u2028"]',
    "mixed": b'[1,{"x":[2,null]},true,"s"]',
    "string_of_array": b'"[\\"x\\"]"',
    "broken": b'["a',
    "deep": b"[" * 70 + b"]" * 70,
    "unicode": "héllo \u2028 \uffff 😀".encode(),
}
form = {
    "d": b"d=%5B%22x%22%5D",
    "plus": b"c=a+b&callback=%63b",
    "bad_escape": b"d=%zz%4",
}
for name, corpus in (("feed", feed), ("ws", ws), ("json", json), ("form", form)):
    d = os.path.join(HERE, "corpus", name)
    os.makedirs(d, exist_ok=True)
    for key, data in corpus.items():
        with open(os.path.join(d, key), "wb") as f:
            f.write(data)
print("seeds written")
