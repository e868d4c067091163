// FreeType: renders the glyphs the built-in bitmap font lacks (Hangul, ×, ≈, …) from a system font.
#include <ft2build.h>
#include FT_FREETYPE_H
