package main

import (
	"runtime/debug"
	"testing"
)

func TestSetGCPercent(t *testing.T) {
	for _, tt := range []struct {
		gogc        string
		applied     bool
		wantPercent int
	}{
		{gogc: "", applied: true, wantPercent: defaultGCPercent},
		{gogc: "100", applied: false, wantPercent: 100},
		{gogc: "off", applied: false, wantPercent: 100},
	} {
		t.Run("GOGC="+tt.gogc, func(t *testing.T) {
			before := debug.SetGCPercent(100)
			defer debug.SetGCPercent(before)
			applied := setGCPercent(func(key string) string {
				if key == "GOGC" {
					return tt.gogc
				}
				return ""
			})
			if got := debug.SetGCPercent(100); applied != tt.applied || got != tt.wantPercent {
				t.Errorf("applied %v, GC percent %d; want %v, %d", applied, got, tt.applied, tt.wantPercent)
			}
		})
	}
}
