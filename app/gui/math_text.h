// math_text.h: draws a formula line written in the lessons' math markup
// (app/lesson/math_markup.h) with ImGui: subscripts and superscripts smaller and
// lower/higher, fractions stacked with a bar, Σ large. Used by the lesson player.
#pragma once

#include <imgui.h>

#include <string>

namespace moe::gui {

// Width and height (ascent + descent) of the markup at font size `size` in pixels.
ImVec2 math_size(const std::string& markup, ImFont* font, float size);
// Draws the markup with its top-left at `pos`; returns its size.
ImVec2 draw_math(ImDrawList* dl, ImVec2 pos, const std::string& markup, ImFont* font, float size, ImU32 colour);
// Draws the markup inside `width`: at `size`, smaller down to `min_size` if that fits, else
// broken at spaces outside braces into several lines. Advances the ImGui cursor; returns the height used.
float math_block(const std::string& markup, ImFont* font, float size, float min_size, float width, ImU32 colour);

}  // namespace moe::gui
