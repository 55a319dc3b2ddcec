package atari

import (
	"image/color"
	"math"
)

// Color is an Atari colour byte as the TIA reads it: hue in the high nibble
// (0 grey, 1..15 colours) and luminance in bits 1..3 (bit 0 is ignored), so
// the console has 16 hues x 8 luminances = 128 colours.
type Color uint8

// Hue returns the colour's hue, 0..15.
func (c Color) Hue() int { return int(c >> 4) }

// Lum returns the colour's luminance, 0..7.
func (c Color) Lum() int { return int(c>>1) & 7 }

// RGB returns the colour in the NTSC palette.
func (c Color) RGB() (r, g, b uint8) {
	p := palette[c>>1]
	return p[0], p[1], p[2]
}

// HL makes the colour of a hue (0..15) and luminance (0..7).
func HL(hue, lum int) Color { return Color(hue&15)<<4 | Color(lum&7)<<1 }

// palette is the 128-colour NTSC table, indexed by Color>>1.
var palette = buildPalette()

// Palette returns the 128 NTSC colours in the order of their colour bytes
// (index i is Color(2*i)).
func Palette() []color.RGBA {
	out := make([]color.RGBA, len(palette))
	for i, p := range palette {
		out[i] = color.RGBA{p[0], p[1], p[2], 255}
	}
	return out
}

// buildPalette computes the NTSC palette from a small model rather than
// listing it, so it owes nothing to an emulator's table.
//
// Facts it rests on: the TIA's 16 hues are 15 steps of the colour-burst
// phase around the colour wheel plus hue 0 without chroma (grey); hue 1 is
// gold and the hues run through orange, red, purple, blue, cyan and green
// back to orange-gold; the 8 luminances grow monotonically. The model:
//
//	grey:   v = 236 * (lum/7)^0.6 on all three channels
//	colour: v_c = Y(lum) + C(lum) * g_c * cos(theta(hue) - phi_c)
//	        Y = 55.13 + 19.02*lum, C = 70.42 + 4.95*lum,
//	        theta = -61.69 + 27.65*(hue-1) degrees,
//	        (g, phi) = (1, 0) for red, (0.64, -105.01) for green,
//	        (0.91, 128.29) for blue; clamped to 0..255.
//
// The 12 parameters were fitted by least squares (scipy) to colours that the
// Arcade Learning Environment's screens of these games are widely documented
// to show: Pong's field (144,72,17), its paddles (213,130,74) and
// (92,186,92), white (236,236,236); Breakout's grey walls (142,142,142) and
// bricks (200,72,72), (198,108,58), (180,122,48), (162,162,42), (72,160,72),
// (66,72,200). The model lands within about 15 of each channel of those.
func buildPalette() [128][3]uint8 {
	var p [128][3]uint8
	for hue := 0; hue < 16; hue++ {
		for lum := 0; lum < 8; lum++ {
			var rgb [3]float64
			if hue == 0 {
				v := 236 * math.Pow(float64(lum)/7, 0.6)
				rgb = [3]float64{v, v, v}
			} else {
				l := float64(lum)
				y := 55.13 + 19.02*l
				c := 70.42 + 4.95*l
				theta := (-61.69 + 27.65*float64(hue-1)) * math.Pi / 180
				gain := [3]float64{1, 0.64, 0.91}
				phase := [3]float64{0, -105.01 * math.Pi / 180, 128.29 * math.Pi / 180}
				for i := range rgb {
					rgb[i] = y + c*gain[i]*math.Cos(theta-phase[i])
				}
			}
			for i, v := range rgb {
				p[hue<<3|lum][i] = uint8(math.Round(math.Max(0, math.Min(255, v))))
			}
		}
	}
	return p
}

// InPalette reports whether (r,g,b) is one of the 128 NTSC colours.
func InPalette(r, g, b uint8) bool {
	_, ok := paletteIndex[[3]uint8{r, g, b}]
	return ok
}

var paletteIndex = func() map[[3]uint8]int {
	m := make(map[[3]uint8]int, len(palette))
	for i, p := range palette {
		m[p] = i
	}
	return m
}()
