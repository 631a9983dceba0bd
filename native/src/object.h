// The binary object handed to the host: four vptrs (IInitDoneBase, ILanguageExtenderBase,
// LocaleBase, UserLanguageBase) followed by our state.
#pragma once

#include "abi/vtables.h"

class Component;

namespace object {

/** Creates the object for class id `classId`; returns the IComponentBase* or nullptr. */
void* create(unsigned classId) noexcept;

/**
 * Ends the engine session (waking a blocked call) and destroys the object's state, leaving its
 * memory (the complete-object destructor; a second call does nothing).
 */
void destruct(void* object) noexcept;

/** `destruct`, then frees the object: DestroyObject and the deleting destructors. */
void destroy(void* object) noexcept;

}  // namespace object
