package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

const providerlessCanary = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  service:
    port: 9898
  analysis:
    interval: 1m
    threshold: 5
    stepWeight: 10
    maxWeight: 50
`

// TestValidateMeshProvider checks that --mesh-provider is the provider of
// a Canary without spec.provider, as the controller's flag is.
func TestValidateMeshProvider(t *testing.T) {
	tests := map[string]struct {
		meshProvider string
		wantErr      error
		want         string
	}{
		"osm":           {meshProvider: "osm", want: "<stdin>:1: Canary test/podinfo: valid"},
		"linkerd":       {meshProvider: "linkerd", want: "<stdin>:1: Canary test/podinfo: valid"},
		"gatewayapi:v1": {meshProvider: "gatewayapi:v1", wantErr: errInvalid, want: "error: spec.service.gatewayRefs: required by provider gatewayapi:v1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			opts := validateOptions{rules: v1.ValidationOptions{MeshProvider: tc.meshProvider}, strict: true, output: "text",
				stdin: strings.NewReader(providerlessCanary)}
			err := runValidate(&out, []string{"-"}, opts)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want %v\n%s", err, tc.wantErr, out.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out.String())
			}
		})
	}
	err := runValidate(&bytes.Buffer{}, []string{"-"}, validateOptions{rules: v1.ValidationOptions{MeshProvider: "istio"},
		output: "text", stdin: strings.NewReader(providerlessCanary)})
	if err == nil || !strings.Contains(err.Error(), `--mesh-provider: mesh provider "istio" is not supported`) {
		t.Errorf("--mesh-provider istio: error %v", err)
	}
}
