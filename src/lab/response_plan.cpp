#include "lab/response_plan.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

namespace pageload::lab {

BodyPiece literal(std::string bytes, milliseconds delay) {
  uint64_t size = bytes.size();
  return BodyPiece{delay, std::move(bytes), size};
}

BodyPiece filler(std::string pattern, uint64_t size, milliseconds delay) {
  assert(size == 0 || !pattern.empty());
  return BodyPiece{delay, std::move(pattern), size};
}

ResponsePlan ResponsePlan::whole(int status, HeaderList headers, std::string body) {
  ResponsePlan plan;
  plan.status = status;
  plan.headers = std::move(headers);
  plan.content_length = body.size();
  if (!body.empty()) plan.body.push_back(literal(std::move(body)));
  return plan;
}

uint64_t ResponsePlan::body_size() const {
  uint64_t total = 0;
  for (const BodyPiece& p : body) total += p.size;
  return total;
}

bool has_no_body(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

BodyCursor::BodyCursor(const std::vector<BodyPiece>& pieces) : pieces_(pieces) {}

void BodyCursor::skip_finished() {
  // A piece is finished once its pause was taken (or it has none) and its bytes are read.
  while (index_ < pieces_.size() && offset_ >= pieces_[index_].size &&
         (pause_taken_ || pieces_[index_].delay.count() <= 0)) {
    ++index_;
    offset_ = 0;
    pause_taken_ = false;
  }
}

bool BodyCursor::done() const {
  for (std::size_t i = index_; i < pieces_.size(); ++i) {
    const BodyPiece& p = pieces_[i];
    bool pause_left = p.delay.count() > 0 && !(i == index_ && pause_taken_);
    uint64_t bytes_left = p.size - (i == index_ ? std::min(offset_, p.size) : 0);
    if (pause_left || bytes_left > 0) return false;
  }
  return true;
}

bool BodyCursor::pause_pending() const {
  return index_ < pieces_.size() && !pause_taken_ && pieces_[index_].delay.count() > 0;
}

milliseconds BodyCursor::take_pause() {
  if (!pause_pending()) return milliseconds(0);
  pause_taken_ = true;
  milliseconds pause = pieces_[index_].delay;
  skip_finished();  // a pause-only piece is finished now
  return pause;
}

std::size_t BodyCursor::read(char* out, std::size_t max) {
  skip_finished();
  if (index_ >= pieces_.size() || pause_pending() || max == 0) return 0;
  const BodyPiece& p = pieces_[index_];
  std::size_t copied = 0;
  while (copied < max && offset_ < p.size) {
    std::size_t at = static_cast<std::size_t>(offset_ % p.pattern.size());
    std::size_t n = std::min<uint64_t>({max - copied, p.pattern.size() - at, p.size - offset_});
    std::memcpy(out + copied, p.pattern.data() + at, n);
    copied += n;
    offset_ += n;
  }
  skip_finished();
  return copied;
}

}  // namespace pageload::lab
