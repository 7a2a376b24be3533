package kubetest_test

import (
	"reflect"
	"testing"

	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
)

func TestAsDescribed(t *testing.T) {
	tests := map[string]struct{ seq, want []string }{
		"empty":           {nil, nil},
		"no repeat":       {[]string{"a", "b", "c"}, []string{"a", "b", "c"}},
		"repeat moves on": {[]string{"a", "b", "a", "c"}, []string{"b", "a", "c"}},
		"all the same":    {[]string{"x", "x", "x"}, []string{"x"}},
		"interleaved":     {[]string{"a", "b", "a", "b", "c", "a"}, []string{"b", "c", "a"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := kubetest.AsDescribed(tc.seq); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("AsDescribed(%q) = %q, want %q", tc.seq, got, tc.want)
			}
		})
	}
}
