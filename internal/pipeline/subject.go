package pipeline

import (
	"strings"
	"unicode"
)

// MaxSubject is SNS's limit for a message subject: "less than 100
// characters". SNS also refuses line breaks and other control characters
// in it.
const MaxSubject = 99

// NoControl returns s with each control character (a line break in a
// stored reason or name) replaced by a space.
func NoControl(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// CutSubject returns subject cut to MaxSubject characters, ending in "…"
// where it was cut.
func CutSubject(subject string) string {
	if r := []rune(subject); len(r) > MaxSubject {
		return string(r[:MaxSubject-1]) + "…"
	}
	return subject
}
