package report

import (
	"strings"
	"time"
)

// seconds is a duration as float seconds, the unit of the charts' x axis.
func seconds(d time.Duration) float64 { return d.Seconds() }

// slug makes an HTML id out of a name: lower-case letters, digits and dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		return "run"
	}
	return out
}
