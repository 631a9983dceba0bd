// External events (docs/features.md "External events"): what the library itself does once the
// engine accepted a SET of ВнешниеСобытия or ГлубинаОчередиСобытий. The thread is in
// engine/event_pump.cpp; what is raised, and when, is decided by the engine.
#include "component.h"
#include "text.h"
#include "variant.h"

void Component::afterSet(const gen::Prop& p, const tVariant* value, const wire::Response& r) {
  switch (p.action) {
    case gen::PropAction::ExternalEvents:
      // The engine answers switching on with the token to subscribe with, switching off with
      // Undefined.
      if (r.value.tag == wire::STRING) {
        if (!closing_.load()) events_.start(r.value.toU16(), messages::format(lang_, gen::Msg::engineLost));
      } else {
        events_.stop();
      }
      return;
    case gen::PropAction::EventBufferDepth: {
      double depth = 0;  // a whole number >= 1: the engine has checked it
      if (value == nullptr || !variant::numeric(*value, depth)) return;
      if (!host_.setEventBufferDepth(static_cast<long>(depth))) {
        throw Failure::of(gen::Msg::eventDepthRefused, text::number(static_cast<long long>(depth)));
      }
      return;
    }
    case gen::PropAction::None:
      return;
  }
}
