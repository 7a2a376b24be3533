package engine

import (
	"fmt"
	"hash/fnv"
	"sort"

	"k8s.io/apimachinery/pkg/util/rand"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// Checksum identifies the revision under analysis for webhooks: a hash of
// the last applied pod-template hash and the tracked config checksums. It
// changes exactly when the analysed revision changes.
func Checksum(st v1.CanaryStatus) string {
	h := fnv.New32a()
	fmt.Fprint(h, st.LastAppliedSpec)
	if st.TrackedConfigs != nil {
		keys := make([]string, 0, len(*st.TrackedConfigs))
		for k := range *st.TrackedConfigs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(h, "\x00%s=%s", k, (*st.TrackedConfigs)[k])
		}
	}
	return rand.SafeEncodeString(fmt.Sprint(h.Sum32()))
}
