package main

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"
)

// TestWhatifJobExample: the Indexed Job runs one shard per completion
// index, as many shards as completions, with flags fledge whatif accepts.
func TestWhatifJobExample(t *testing.T) {
	var job batchv1.Job
	if err := yaml.UnmarshalStrict(mustRead(t, "../../examples/whatif-job/job.yaml"), &job); err != nil {
		t.Fatal(err)
	}
	spec := job.Spec
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion || spec.Completions == nil {
		t.Fatalf("completionMode %v, completions %v: want an Indexed Job", spec.CompletionMode, spec.Completions)
	}
	args := spec.Template.Spec.Containers[0].Args
	i := slices.Index(args, "--shard")
	want := "$(JOB_COMPLETION_INDEX)/" + strconv.Itoa(int(*spec.Completions))
	if i < 0 || i+1 == len(args) || args[i+1] != want {
		t.Fatalf("args %q: want --shard %s", args, want)
	}
	// The pod's own command line, its shard 0 and the Canary from disk,
	// with fewer runs: it must parse and print a part.
	run := slices.Clone(args)
	run[i+1] = "0/" + strconv.Itoa(int(*spec.Completions))
	run[slices.Index(run, "/etc/whatif/canary.yaml")] = "../../scenarios/manifests/podinfo-canary.yaml"
	run[slices.Index(run, "--runs")+1] = "1"
	out, stderr, err := fledgeCmd(t, run...)
	if err != nil || !strings.Contains(out, `"version": "fledge.dev/whatif-part/v1"`) {
		t.Fatalf("fledge %s: %v\n%s", strings.Join(run, " "), err, stderr)
	}
}
