package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// Short lease settings for the test: standbys take a lease 4s after its
// last renewal and retry every second.
const (
	testLeaseDuration = 4 * time.Second
	testRetryPeriod   = time.Second
)

var testLeaseFlags = []string{"-leader-election-lease-duration=4s", "-leader-election-renew-deadline=3s", "-leader-election-retry-period=1s"}

func isLeaseWrite(r request) bool {
	return r.write() && strings.Contains(r.Path, "/leases/") || r.write() && strings.HasSuffix(r.Path, "/leases")
}

func okLeaseWrite(r request) bool { return isLeaseWrite(r) && r.Code < 300 }

// TestLeaderElection runs two controller processes as the shipped
// ServiceAccount against one API server. The standby only reads until the
// leader is SIGKILLed mid-rollout (no lease release); then it takes the
// Lease within the lease duration of the leader's last renewal plus its
// retry jitter, writes only after that, and the rollout completes.
//
// By default the leader dies during the bootstrap and the new leader
// brings the canary to Initialized. With FLEDGE_RELIABILITY=full the
// leader dies while the canary is Progressing at 50% and the new leader
// promotes it (about a minute more).
func TestLeaderElection(t *testing.T) {
	full := os.Getenv("FLEDGE_RELIABILITY") == "full"
	ctx := t.Context()
	tc := startCluster(t)
	tc.apply(ctx, t, nsObject(controllerNamespace))
	tc.apply(ctx, t, shippedRBAC(t)...)
	prom := newFakePrometheus(t)
	r := newRollout(ctx, t, tc, "leader", prom)
	flags := append([]string{"-enable-leader-election", "-leader-election-namespace=" + controllerNamespace,
		"-metrics-server=" + prom.srv.URL, "-log-level=info"}, testLeaseFlags...)

	a := startProcess(t, "a", tc.admin(), serviceAccount, flags...)
	if !waitFor(ctx, 30*time.Second, func() bool { return len(a.calls.filter(okLeaseWrite)) > 0 }) {
		t.Fatal("the first process did not take the lease")
	}
	b := startProcess(t, "b", tc.admin(), serviceAccount, flags...)
	leaseReads := func() int {
		return len(b.calls.filter(func(r request) bool { return !r.write() && strings.Contains(r.Path, "/leases/") }))
	}
	if !waitFor(ctx, 30*time.Second, func() bool { return leaseReads() >= 2 }) {
		t.Fatalf("the standby read the lease %d times in 30s: it is not campaigning", leaseReads())
	}
	cd, err := r.canary()
	must(t, err)
	must(t, tc.c.Create(ctx, cd))
	if full {
		must(t, r.waitPhase(ctx, "Initialized", 60*time.Second, never))
		must(t, r.newRevision(ctx, "ghcr.io/stefanprodan/podinfo:6.0.1", 5))
		if !waitFor(ctx, 90*time.Second, func() bool {
			w, err := r.weights(ctx)
			return err == nil && w["podinfo-canary"] == 50
		}) {
			t.Fatal("the canary did not reach 50%")
		}
	} else if !waitFor(ctx, 30*time.Second, func() bool {
		return tc.c.Get(ctx, client.ObjectKey{Namespace: r.ns, Name: "podinfo-primary"}, &appsv1.Deployment{}) == nil
	}) {
		t.Fatal("the leader did not create the primary")
	}
	if writes := b.calls.filter(request.write); len(writes) > 0 {
		t.Errorf("the standby wrote %d times while the other process led, first %s", len(writes), writes[0])
	}
	handover(ctx, t, tc, a, b)

	final := v1.PhaseInitialized
	if full {
		final = v1.PhaseSucceeded
	}
	must(t, r.waitPhase(ctx, final, 120*time.Second, never))
	if full {
		w, err := r.weights(ctx)
		must(t, err)
		if w["podinfo-primary"] != 100 {
			t.Errorf("weights %v after the promotion", w)
		}
		must(t, r.checkPromoted(ctx, "ghcr.io/stefanprodan/podinfo:6.0.1", 5))
	}
	for _, p := range []*process{a, b} {
		if refused := p.calls.filter(forbidden); len(refused) > 0 {
			t.Errorf("%s: %d calls refused to the ServiceAccount, first %s", p.name, len(refused), refused[0])
		}
	}
	b.stop(t)
}

func never() bool { return false }

// handover kills the leader a and checks that b takes the Lease in time
// and writes nothing before it holds it.
func handover(ctx context.Context, t *testing.T, tc *testCluster, a, b *process) {
	t.Helper()
	killed := time.Now()
	a.kill()
	var before, after coordinationv1.Lease
	must(t, tc.c.Get(ctx, client.ObjectKey{Namespace: controllerNamespace, Name: "fledge-leader-election"}, &before))
	if !waitFor(ctx, 30*time.Second, func() bool {
		err := tc.c.Get(ctx, client.ObjectKey{Namespace: controllerNamespace, Name: "fledge-leader-election"}, &after)
		return err == nil && *after.Spec.HolderIdentity != *before.Spec.HolderIdentity
	}) {
		t.Fatalf("lease still held by the killed leader %s after 30s", *before.Spec.HolderIdentity)
	}
	// The standby waits a lease duration from the last change it saw
	// (observed up to a jittered retry period, 1.2 × retry, after the
	// renewal) and then tries on its next jittered retry.
	gap := after.Spec.AcquireTime.Sub(before.Spec.RenewTime.Time)
	limit := testLeaseDuration + 2*time.Duration(2.2*float64(testRetryPeriod)) + 2*time.Second
	t.Logf("handover: last renewal by the killed leader %s, acquired by the standby %s later, %s after the kill (lease %s, retry %s)",
		before.Spec.RenewTime.Format(time.RFC3339Nano), gap, after.Spec.AcquireTime.Sub(killed).Round(time.Millisecond),
		testLeaseDuration, testRetryPeriod)
	if gap < testLeaseDuration || gap > limit {
		t.Errorf("the standby took the lease %s after the last renewal, want between %s and %s", gap, testLeaseDuration, limit)
	}
	if after.Spec.LeaseTransitions == nil || before.Spec.LeaseTransitions == nil || *after.Spec.LeaseTransitions != *before.Spec.LeaseTransitions+1 {
		t.Errorf("leaseTransitions %v → %v, want one more", before.Spec.LeaseTransitions, after.Spec.LeaseTransitions)
	}
	waitFor(ctx, 15*time.Second, func() bool { return len(b.calls.filter(isOtherWrite)) > 0 })
	calls := b.calls.all()
	for _, c := range calls {
		if okLeaseWrite(c) {
			break
		}
		if c.write() {
			t.Errorf("the standby wrote %s before it held the lease", c)
		}
	}
	if len(b.calls.filter(isOtherWrite)) == 0 {
		t.Error("the new leader has not written anything 15s after taking the lease")
	}
}

func isOtherWrite(r request) bool { return r.write() && !isLeaseWrite(r) }
