#include "lab/connection_threads.h"

#include <sys/socket.h>

namespace pageload::lab {

void ConnectionThreads::spawn(UniqueFd fd, Serve serve) {
  reap_finished();
  std::lock_guard lock(mu_);
  auto connection = std::make_unique<Connection>();
  connection->fd = std::move(fd);
  Connection* c = connection.get();
  connections_.push_back(std::move(connection));
  c->thread = std::thread([this, c, serve = std::move(serve)] {
    Close how = serve(c->fd.get());
    {
      std::lock_guard lock(mu_);
      if (how == Close::kReset) {
        linger hard{1, 0};  // close() now sends an RST
        setsockopt(c->fd.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      }
      c->fd.reset();
    }
    c->done.store(true);
  });
}

void ConnectionThreads::reap_finished() {
  std::list<std::unique_ptr<Connection>> finished;
  {
    std::lock_guard lock(mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      auto next = std::next(it);
      if ((*it)->done.load()) finished.splice(finished.end(), connections_, it);
      it = next;
    }
  }
  for (auto& c : finished) c->thread.join();
}

void ConnectionThreads::stop_all() {
  std::list<std::unique_ptr<Connection>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& c : connections_)
      if (c->fd.valid()) ::shutdown(c->fd.get(), SHUT_RDWR);  // wakes recv/send/SSL_accept
    all.swap(connections_);
  }
  for (auto& c : all)
    if (c->thread.joinable()) c->thread.join();
}

}  // namespace pageload::lab
