#include "runner/backplane_bridge.hpp"

#include <random>

#include "backplane/envelope.hpp"
#include "codec/utf8.hpp"

namespace sockjs {

namespace {

uint64_t random_origin() {
  std::random_device rd;
  uint64_t v = 0;
  while (v == 0)
    v = (static_cast<uint64_t>(rd()) << 32) ^ static_cast<uint64_t>(rd());
  return v;
}

}  // namespace

BackplaneBridge::BackplaneBridge(struct event_base* base,
                                 const ServerOptions& sopts,
                                 const std::vector<ServiceOptions>& services,
                                 Engine& engine, BackplaneMetrics& metrics,
                                 std::function<void(bool up)> on_state)
    : engine_(engine),
      node_id_(sopts.node_id),
      origin_(random_origin()),
      on_state_(std::move(on_state)),
      link_(
          base, sopts.backplane, metrics,
          [this](std::string_view payload) { deliver(payload); },
          [this](int level, std::string text) {
            if (engine_.logging(level))
              engine_.log(level, -1, 0, "backplane: " + text);
          },
          [this](bool up) { on_state_(up); }) {
  for (const ServiceOptions& s : services) prefixes_.push_back(s.prefix);
}

void BackplaneBridge::share_publish(int service, std::string_view channel,
                                    bool whole_service, std::string_view text) {
  backplane::Envelope e;
  e.target =
      whole_service ? backplane::Target::service : backplane::Target::channel;
  e.origin = origin_;
  e.prefix = prefixes_[static_cast<size_t>(service)];
  if (!whole_service) e.channel = channel;
  e.text = text;
  link_.publish(backplane::encode(e));
}

void BackplaneBridge::share_publish_to(uint64_t conn, std::string_view text) {
  backplane::Envelope e;
  e.target = backplane::Target::session;
  e.origin = origin_;
  e.conn = conn;
  e.text = text;
  link_.publish(backplane::encode(e));
}

void BackplaneBridge::deliver(std::string_view payload) {
  backplane::Envelope e;
  if (!backplane::decode(payload, e) || !codec::utf8_valid(e.text)) {
    if (engine_.logging(Engine::kWarning))
      engine_.log(Engine::kWarning, -1, 0,
                  "backplane: ignored a message that is not an SJ1 envelope (" +
                      std::to_string(payload.size()) + " bytes)");
    return;
  }
  if (e.origin == origin_) return;  // delivered locally when published
  if (e.target == backplane::Target::session) {
    if ((e.conn >> 48) != node_id_) return;  // another node's session
    engine_.publish_to_session(e.conn, e.text);
    return;
  }
  int service = engine_.service_by_prefix(e.prefix);
  if (service < 0) return;  // a service this node does not run
  engine_.publish(service, e.channel, e.target == backplane::Target::service,
                  e.text);
}

}  // namespace sockjs
