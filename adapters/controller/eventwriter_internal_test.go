package controller

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// eventAPI is a fake API server for Events whose answers tests choose:
// fail returns the error of the nth create (1-based), nil for success.
type eventAPI struct {
	*kubefake.Clientset
	mu      sync.Mutex
	creates int
	fail    func(n int) error
}

func newEventAPI(fail func(n int) error) *eventAPI {
	api := &eventAPI{Clientset: kubefake.NewClientset(), fail: fail}
	api.PrependReactor("create", "events", func(k8stesting.Action) (bool, runtime.Object, error) {
		api.mu.Lock()
		defer api.mu.Unlock()
		api.creates++
		if err := api.fail(api.creates); err != nil {
			return true, nil, err
		}
		return false, nil, nil // the tracker stores it
	})
	return api
}

func (a *eventAPI) stored(t *testing.T) []corev1.Event {
	t.Helper()
	list, err := a.CoreV1().Events("test").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

func eventCanary() *v1.Canary {
	return &v1.Canary{ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: "test", UID: types.UID("uid-podinfo"), ResourceVersion: "7"}}
}

func TestEventWriterCreatesEventsAsRecordDoes(t *testing.T) {
	api := newEventAPI(func(int) error { return nil })
	w := newEventWriter(api.CoreV1(), "fledge", logr.Discard())
	cd := eventCanary()
	messages := []string{"New revision detected! Scaling up podinfo.test", "Starting canary analysis for podinfo.test",
		"Advance podinfo.test canary weight 10", "Advance podinfo.test canary weight 20"}
	for _, m := range messages {
		w.Event(cd, corev1.EventTypeNormal, EventReason, m)
	}
	w.Event(cd, corev1.EventTypeWarning, EventReason, "Halt advancement podinfo-primary.test waiting for rollout to finish")
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	events := api.stored(t)
	if len(events) != 5 {
		t.Fatalf("%d events stored, want 5", len(events))
	}
	byMessage := map[string]corev1.Event{}
	for _, e := range events {
		byMessage[e.Message] = e
	}
	e := byMessage[messages[2]]
	want := corev1.ObjectReference{Kind: "Canary", APIVersion: "flagger.app/v1beta1", Namespace: "test", Name: "podinfo",
		UID: "uid-podinfo", ResourceVersion: "7"}
	switch {
	case e.InvolvedObject != want:
		t.Errorf("involvedObject %+v, want %+v", e.InvolvedObject, want)
	case !strings.HasPrefix(e.Name, "podinfo."), e.Namespace != "test":
		t.Errorf("event %s/%s, want test/podinfo.<nanoseconds in hex>", e.Namespace, e.Name)
	case e.Reason != "Synced", e.Type != corev1.EventTypeNormal, e.Count != 1:
		t.Errorf("reason %q type %q count %d, want Synced Normal 1", e.Reason, e.Type, e.Count)
	case e.Source.Component != "fledge", e.ReportingController != "fledge":
		t.Errorf("source %+v reportingController %q, want fledge", e.Source, e.ReportingController)
	case e.FirstTimestamp.IsZero(), !e.FirstTimestamp.Equal(&e.LastTimestamp):
		t.Errorf("timestamps first %v last %v, want equal and set", e.FirstTimestamp, e.LastTimestamp)
	}
	if byMessage["Halt advancement podinfo-primary.test waiting for rollout to finish"].Type != corev1.EventTypeWarning {
		t.Error("warning not recorded as a Warning")
	}
}

// A transport error is retried; an answer of the API server is final.
func TestEventWriterRetriesTransportErrorsOnly(t *testing.T) {
	tests := []struct {
		name        string
		fail        func(n int) error
		wantCreates int
		wantStored  int
	}{
		{name: "connection refused twice", fail: func(n int) error {
			if n <= 2 {
				return errors.New("dial tcp: connection refused")
			}
			return nil
		}, wantCreates: 3, wantStored: 1},
		{name: "already exists", fail: func(int) error {
			return apierrors.NewAlreadyExists(schema.GroupResource{Resource: "events"}, "x")
		}, wantCreates: 1, wantStored: 0},
		{name: "always down", fail: func(int) error { return errors.New("EOF") }, wantCreates: eventTries, wantStored: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newEventAPI(tc.fail)
			w := newEventWriter(api.CoreV1(), "fledge", logr.Discard())
			w.retry = time.Millisecond
			w.Event(eventCanary(), corev1.EventTypeNormal, EventReason, "Starting canary analysis for podinfo.test")
			if err := w.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if api.creates != tc.wantCreates || len(api.stored(t)) != tc.wantStored {
				t.Errorf("%d creates, %d stored; want %d and %d", api.creates, len(api.stored(t)), tc.wantCreates, tc.wantStored)
			}
		})
	}
}

// Close gives up on an API server that stays down once its context ends,
// and events recorded after Close are dropped.
func TestEventWriterCloseIsBounded(t *testing.T) {
	api := newEventAPI(func(int) error { return errors.New("EOF") })
	w := newEventWriter(api.CoreV1(), "fledge", logr.Discard())
	w.Event(eventCanary(), corev1.EventTypeNormal, EventReason, "Starting canary analysis for podinfo.test")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := w.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want the deadline", err)
	}
	w.Event(eventCanary(), corev1.EventTypeNormal, EventReason, "after Close")
	if api.creates != 1 {
		t.Errorf("%d creates, want 1 (the retry waits 10 s; Close gave up first)", api.creates)
	}
}

// A repeated event is counted on the existing Event, as record does, so
// that kubectl describe shows it once with its count; an Event deleted
// meanwhile is created again.
func TestEventWriterCountsRepeats(t *testing.T) {
	api := newEventAPI(func(int) error { return nil })
	w := newEventWriter(api.CoreV1(), "fledge", logr.Discard())
	cd := eventCanary()
	waiting := "podinfo-primary.test not ready: waiting for rollout to finish: 0 out of 1 new replicas have been updated"
	w.Event(cd, corev1.EventTypeNormal, EventReason, waiting)
	w.Event(cd, corev1.EventTypeNormal, EventReason, "Initialization done! podinfo.test")
	w.Event(cd, corev1.EventTypeNormal, EventReason, waiting)
	w.Event(cd, corev1.EventTypeWarning, EventReason, waiting) // another type: another Event
	w.Event(cd, corev1.EventTypeNormal, EventReason, waiting)
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int32{}
	for _, e := range api.stored(t) {
		counts[e.Type+" "+e.Message] += e.Count
	}
	want := map[string]int32{"Normal " + waiting: 3, "Warning " + waiting: 1, "Normal Initialization done! podinfo.test": 1}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("events by count %v, want %v", counts, want)
	}

	// The Event expires (the API server deletes it after an hour): the
	// next repeat creates it again, counting on.
	api2 := newEventAPI(func(int) error { return nil })
	w2 := newEventWriter(api2.CoreV1(), "fledge", logr.Discard())
	w2.Event(cd, corev1.EventTypeNormal, EventReason, waiting)
	waitForEvents(t, api2, 1)
	for _, e := range api2.stored(t) {
		if err := api2.CoreV1().Events("test").Delete(context.Background(), e.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	w2.Event(cd, corev1.EventTypeNormal, EventReason, waiting)
	if err := w2.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := api2.stored(t); len(got) != 1 || got[0].Count != 2 {
		t.Errorf("after expiry: %d events (count %v), want 1 with count 2", len(got), got)
	}
}

func waitForEvents(t *testing.T, api *eventAPI, n int) {
	t.Helper()
	for range 500 {
		if len(api.stored(t)) >= n {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("fewer than %d events stored", n)
}
