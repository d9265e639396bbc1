#include "services/members/member.h"

namespace tpp {

const Guarantee* Contract::Find(Category category) const {
  for (const Guarantee& g : guarantees) {
    if (g.category == category) return &g;
  }
  return nullptr;
}

}  // namespace tpp
