// Mode A driver: a library-owned thread running a libevent loop that
// accepts TCP connections and moves bytes between sockets and the engine.
// Other threads talk to it only through post() (a command queue woken
// through an eventfd, once per batch). libevent runs without its thread
// locks: only the I/O thread ever touches the event base.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine.hpp"
#include "event_queue.hpp"
#include "status.hpp"

struct event_base;
struct event;
struct evconnlistener;
struct sockaddr;

namespace sockjs {

class BackplaneBridge;

struct Command {
  enum class Kind : uint8_t {
    send,
    close_conn,
    respond,
    accept,
    reject,
    join,
    leave,
    publish,     // id: 1 for a whole service; code: service
    publish_to,  // id: a session of another node (backplane)
    shutdown,
    stop
  };
  Kind kind;
  uint64_t id = 0;
  int code = 0;
  std::string a, b, c;  // send: a = text; close, reject: a = reason;
                        // respond: a = content type, b = headers, c = body;
                        // join, leave: a = channel; publish: a = channel,
                        // b = text; publish_to: b = text
};

class LibeventRunner : public Engine::Host {
 public:
  LibeventRunner(const ServerOptions& sopts,
                 const std::vector<ServiceOptions>& services, ConnTable& table,
                 Metrics& metrics, EventQueue& queue);
  ~LibeventRunner() override;

  // Binds and listens in the calling thread (so errors come back here),
  // then starts the I/O thread. With a backplane, connections are accepted
  // only once it is up; start waits for that (connect_timeout_ms) and
  // fails with Status::io when it does not come up in time.
  Status start(const char* host, uint16_t port, uint16_t* bound,
               std::string& error);
  void post(Command&& cmd);
  // Ends the loop (after a graceful shutdown, or at once for kind stop)
  // and joins the thread.
  void join();

 private:
  struct Conn {
    LibeventRunner* runner = nullptr;  // callbacks get the Conn as their arg
    uint64_t id = 0;
    int fd = -1;
    struct event* rd = nullptr;
    struct event* wr = nullptr;  // made on first partial write
    bool writing = false;
    bool lingering = false;  // FIN sent; draining input until the peer closes
  };

  bool stream_alive(uint64_t stream) override;

  static void on_accept(struct evconnlistener*, int fd, ::sockaddr* sa, int len,
                        void* arg) noexcept;
  static void on_read(int fd, short what, void* arg) noexcept;
  static void on_write(int fd, short what, void* arg) noexcept;
  static void on_timer(int fd, short what, void* arg) noexcept;
  static void on_linger_timeout(int fd, short what, void* arg) noexcept;
  static void on_command(int fd, short what, void* arg) noexcept;
  // Wraps a callback body: refreshes the clock and runs it; an exception
  // stops the server instead of unwinding through libevent. The engine's
  // output is settled once per loop round (after_op), not per callback.
  template <typename F>
  void guarded(F&& body) noexcept;

  void accept_conn(int fd, ::sockaddr* sa);
  void read_conn(uint64_t id);
  void flush_conn(uint64_t id);
  void write_pending(uint64_t id);
  void start_linger(Conn& c);
  void drop_conn(uint64_t id, bool tell_engine);
  void run_commands();
  void after_op();
  void stop_now();
  // With a backplane: set up the bridge; then wait until it is up.
  void make_bridge();
  Status wait_for_backplane(std::string& error);
  void backplane_state(bool up);

  const ServerOptions& sopts_;  // the Server's, which outlives us
  const std::vector<ServiceOptions>& services_;
  Metrics& metrics_;
  Engine engine_;
  EventQueue& queue_;
  ConnTable& table_;
  struct event_base* base_ = nullptr;
  struct evconnlistener* listener_ = nullptr;
  struct event* timer_ = nullptr;
  struct event* cmd_ev_ = nullptr;
  int cmd_fd_ = -1;
  std::thread thread_;
  std::unordered_map<uint64_t, std::unique_ptr<Conn>> conns_;
  std::mutex cmd_mu_;
  std::vector<Command> cmds_;
  std::vector<Command> cmds_work_;
  std::vector<uint64_t> dirty_;
  std::vector<char> buf_;
  bool stopped_ = false;
  size_t max_connections_;                   // 0: no limit
  uint32_t keepalive_s_;                     // 0: no TCP keepalive
  std::unique_ptr<BackplaneBridge> bridge_;  // only with a backplane
  // The listener is enabled once the backplane is first up; start()
  // waits on this.
  std::mutex up_mu_;
  std::condition_variable up_cv_;
  bool first_up_ = false;
};

}  // namespace sockjs
