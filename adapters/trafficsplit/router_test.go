package trafficsplit

import (
	"reflect"
	"testing"
)

func TestSyncedNames(t *testing.T) {
	want := Spec{Service: "podinfo", Backends: []Backend{{"podinfo-canary", 0}, {"podinfo-primary", 100}}}
	tests := []struct {
		name        string
		current     Spec
		wantChanged bool
		wantSpec    Spec
	}{
		{name: "in sync", current: want},
		{name: "in sync, weights moved", current: Spec{Service: "podinfo", Backends: []Backend{{"podinfo-canary", 30}, {"podinfo-primary", 70}}}},
		{name: "other root keeps the weights",
			current:     Spec{Service: "podinfo.test", Backends: []Backend{{"podinfo-canary", 30}, {"podinfo-primary", 70}}},
			wantChanged: true, wantSpec: Spec{Service: "podinfo", Backends: []Backend{{"podinfo-canary", 30}, {"podinfo-primary", 70}}}},
		{name: "backends in the other order keep their weights",
			current:     Spec{Service: "podinfo", Backends: []Backend{{"podinfo-primary", 70}, {"podinfo-canary", 30}}},
			wantChanged: true, wantSpec: Spec{Service: "podinfo", Backends: []Backend{{"podinfo-canary", 30}, {"podinfo-primary", 70}}}},
		{name: "a stranger backend starts over",
			current:     Spec{Service: "podinfo", Backends: []Backend{{"podinfo-canary", 30}, {"other", 70}}},
			wantChanged: true, wantSpec: want},
		{name: "no backends starts over", current: Spec{Service: "podinfo"}, wantChanged: true, wantSpec: want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := syncedNames(tt.current, want)
			if changed != tt.wantChanged || (changed && !reflect.DeepEqual(got, tt.wantSpec)) {
				t.Errorf("syncedNames = %+v, %v; want %+v, %v", got, changed, tt.wantSpec, tt.wantChanged)
			}
		})
	}
}
