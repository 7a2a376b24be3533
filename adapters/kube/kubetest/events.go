package kubetest

// AsDescribed is how Kubernetes keeps a sequence of event messages about
// one object: the event recorder folds a repeated message into the existing
// Event (its count grows and it moves to its last occurrence), so each
// message appears once, at its last occurrence. Tests that read Events back
// from an API server compare them with AsDescribed of the expected
// sequence.
func AsDescribed(seq []string) []string {
	last := make(map[string]int, len(seq))
	for i, m := range seq {
		last[m] = i
	}
	var out []string
	for i, m := range seq {
		if last[m] == i {
			out = append(out, m)
		}
	}
	return out
}
