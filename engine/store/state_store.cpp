#include "engine/store/state_store.h"

namespace sundial::engine {

std::string_view studyStateName(StudyState state) {
  return state == StudyState::Complete ? "complete" : "receiving";
}

}  // namespace sundial::engine
