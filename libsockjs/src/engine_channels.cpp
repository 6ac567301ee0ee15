// Channels: named groups of sessions within a service, and publishing one
// message to a channel or to a whole service with a single JSON escaping.
#include <algorithm>

#include "codec/json.hpp"
#include "engine.hpp"

namespace sockjs {

namespace {

bool accepts_messages(const Session& sess) {
  return sess.state == SessionState::open ||
         sess.state == SessionState::pending;
}

}  // namespace

Status Engine::join(uint64_t conn, std::string_view channel) {
  Session* sess = find_session(conn);
  if (!sess) return Status::unknown_conn;
  if (!accepts_messages(*sess)) return Status::closed;
  if (!sess->channels)
    sess->channels = std::make_unique<std::vector<std::string>>();
  auto& mine = *sess->channels;
  if (std::find(mine.begin(), mine.end(), channel) != mine.end())
    return Status::ok;  // already a member
  mine.emplace_back(channel);
  sess->service->channels[mine.back()].insert(sess);
  return Status::ok;
}

Status Engine::leave(uint64_t conn, std::string_view channel) {
  Session* sess = find_session(conn);
  if (!sess) return Status::unknown_conn;
  if (!sess->channels) return Status::ok;
  auto& mine = *sess->channels;
  auto it = std::find(mine.begin(), mine.end(), channel);
  if (it == mine.end()) return Status::ok;  // not a member
  auto& all = sess->service->channels;
  auto ch = all.find(*it);
  if (ch != all.end()) {
    ch->second.erase(sess);
    if (ch->second.empty()) all.erase(ch);
  }
  mine.erase(it);
  return Status::ok;
}

void Engine::leave_all_channels(Session& sess) {
  if (!sess.channels) return;
  auto& all = sess.service->channels;
  for (const std::string& name : *sess.channels) {
    auto ch = all.find(name);
    if (ch == all.end()) continue;
    ch->second.erase(&sess);
    if (ch->second.empty()) all.erase(ch);
  }
  sess.channels.reset();
}

size_t Engine::publish(int service, std::string_view channel,
                       bool whole_service, std::string_view text) {
  if (service < 0 || static_cast<size_t>(service) >= services_.size()) return 0;
  Service& svc = *services_[static_cast<size_t>(service)];
  metrics_.service(svc.id).published.fetch_add(1, std::memory_order_relaxed);
  scratch_escaped_.clear();
  codec::append_json_message(scratch_escaped_, text);
  size_t delivered = 0;
  auto offer = [&](Session& sess) {
    if (offer_published(sess, text, scratch_escaped_)) ++delivered;
  };
  if (whole_service) {
    for (auto& kv : sessions_)
      if (kv.second->service == &svc) offer(*kv.second);
  } else {
    auto ch = svc.channels.find(std::string(channel));
    if (ch != svc.channels.end())
      for (Session* sess : ch->second) offer(*sess);
  }
  return delivered;
}

bool Engine::publish_to_session(uint64_t conn, std::string_view text) {
  Session* sess = find_session(conn);
  return sess && offer_published(*sess, text, {});
}

bool Engine::offer_published(Session& sess, std::string_view text,
                             std::string_view escaped) {
  if (!accepts_messages(sess)) return false;
  const ConnShared& c = *sess.shared;
  // Counted from the engine's own buffers, not c.buffered: that is only
  // refreshed when the session is flushed, after a burst of publishes.
  int64_t pending =
      c.in_flight.load(std::memory_order_relaxed) + held_bytes(sess);
  if (pending >= static_cast<int64_t>(c.limit)) {
    // A slow member misses this message rather than growing without
    // bound; the publisher is not told per member.
    metrics_.service(sess.service->id)
        .publish_dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  queue_message(sess, text, escaped);
  return true;
}

int Engine::service_by_prefix(std::string_view prefix) const {
  for (const auto& svc : services_)
    if (svc->opts.prefix == prefix) return svc->id;
  return -1;
}

}  // namespace sockjs
