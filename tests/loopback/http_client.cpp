#include "http_client.hpp"

#include <cctype>
#include <cstdlib>

namespace loopback {

namespace {

std::string lower(std::string s) {
  for (char& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

std::string build_request(const std::string& method, const std::string& path,
                          const std::string& body,
                          const std::string& extra_headers,
                          const std::string& version) {
  std::string r =
      method + " " + path + " " + version + "\r\nHost: 127.0.0.1\r\n";
  if (!body.empty() || method == "POST")
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  r += extra_headers + "\r\n" + body;
  return r;
}

bool read_head(TcpConn& c, HttpResponse& r, int timeout_ms) {
  std::string head;
  if (!c.read_until("\r\n\r\n", head, timeout_ms)) return false;
  size_t eol = head.find("\r\n");
  std::string status_line = head.substr(0, eol);
  size_t sp = status_line.find(' ');
  if (sp == std::string::npos) return false;
  r.version = status_line.substr(0, sp);
  r.status = std::atoi(status_line.c_str() + sp + 1);
  size_t pos = eol + 2;
  while (pos < head.size() - 2) {
    size_t end = head.find("\r\n", pos);
    std::string line = head.substr(pos, end - pos);
    pos = end + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos) return false;
    r.headers[lower(line.substr(0, colon))] = trim(line.substr(colon + 1));
  }
  r.chunked = lower(r.header("transfer-encoding")) == "chunked";
  return true;
}

bool read_chunk(TcpConn& c, std::string& chunk, bool& done, int timeout_ms) {
  done = false;
  std::string size_line;
  if (!c.read_until("\r\n", size_line, timeout_ms)) return false;
  size_t size = std::strtoul(size_line.c_str(), nullptr, 16);
  std::string data;
  if (!c.read_exact(size + 2, data, timeout_ms)) return false;
  if (data.compare(size, 2, "\r\n") != 0) return false;
  if (size == 0) {
    done = true;
    return false;
  }
  chunk = data.substr(0, size);
  return true;
}

HttpResponse read_response(TcpConn& c, int timeout_ms) {
  HttpResponse r;
  if (!read_head(c, r, timeout_ms)) return r;
  if (r.chunked) {
    std::string chunk;
    bool done = false;
    while (read_chunk(c, chunk, done, timeout_ms)) {
      r.chunks.push_back(chunk);
      r.body += chunk;
    }
    r.ok = done;
  } else if (r.has("content-length")) {
    size_t n = std::strtoul(r.header("content-length").c_str(), nullptr, 10);
    r.ok = c.read_exact(n, r.body, timeout_ms);
  } else if (r.status == 204 || r.status == 304 || r.status / 100 == 1) {
    r.ok = true;
  } else {
    r.ok = c.read_to_eof(r.body, timeout_ms);
  }
  return r;
}

HttpResponse http_request(uint16_t port, const std::string& method,
                          const std::string& path, const std::string& body,
                          const std::string& extra_headers, int timeout_ms) {
  TcpConn c;
  if (!c.connect(port)) return HttpResponse();
  if (!c.send_all(build_request(method, path, body, extra_headers)))
    return HttpResponse();
  return read_response(c, timeout_ms);
}

}  // namespace loopback
