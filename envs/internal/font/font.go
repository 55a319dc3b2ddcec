// Package font holds Arcade's own 3x5 digit glyphs, used for the scores that
// the Atari remakes and Flappy Bird draw on their screens.
package font

// Digits is a 3x5 font, one glyph per digit, rows top down; '#' marks a dot.
var Digits = [10][]string{
	{"###", "#.#", "#.#", "#.#", "###"},
	{".#.", "##.", ".#.", ".#.", "###"},
	{"###", "..#", "###", "#..", "###"},
	{"###", "..#", ".##", "..#", "###"},
	{"#.#", "#.#", "###", "..#", "..#"},
	{"###", "#..", "###", "..#", "###"},
	{"###", "#..", "###", "#.#", "###"},
	{"###", "..#", "..#", ".#.", ".#."},
	{"###", "#.#", "###", "#.#", "###"},
	{"###", "#.#", "###", "..#", "###"},
}
