package decide

import v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

// TargetChanged reports whether the target's pod template (by its hash)
// differs from the last one analysed. A template equal to the last promoted
// one is not a change, even mid-analysis: that is Flagger's rule, which
// ignores a manual revert to the promoted spec.
func TargetChanged(st v1.CanaryStatus, templateHash string) bool {
	if st.LastAppliedSpec == "" {
		return true
	}
	if templateHash == st.LastPromotedSpec {
		return false
	}
	return templateHash != st.LastAppliedSpec
}

// ConfigsChanged reports whether the ConfigMaps and Secrets the target uses
// (kind/name to checksum) differ from the tracked ones. A nil current map
// means config tracking is off.
func ConfigsChanged(tracked *map[string]string, current map[string]string) bool {
	if current == nil {
		return false
	}
	if tracked == nil {
		return len(current) > 0
	}
	if len(*tracked) != len(current) {
		return true
	}
	for k, sum := range current {
		if old, ok := (*tracked)[k]; !ok || old != sum {
			return true
		}
	}
	return false
}
