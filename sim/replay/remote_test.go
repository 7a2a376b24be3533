package replay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/prompb"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/storage/remote"

	"github.com/fledge-canary/fledge/sim/replay"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// readServer answers remote reads from store (in the SAMPLES form, which
// the client falls back to) when the request carries auth.
func readServer(t *testing.T, store *tsdb.Store, auth string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/read" || r.Header.Get("Authorization") != auth {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		req, err := remote.DecodeReadRequest(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp := &prompb.ReadResponse{}
		for _, q := range req.Queries {
			matchers, err := remote.FromLabelMatchers(q.Matchers)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			querier, _ := store.Querier(q.StartTimestampMs, q.EndTimestampMs)
			set := querier.Select(r.Context(), true, &storage.SelectHints{Start: q.StartTimestampMs, End: q.EndTimestampMs}, matchers...)
			res, _, err := remote.ToQueryResult(set, 1e6)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			resp.Results = append(resp.Results, res)
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Header().Set("Content-Encoding", "snappy")
		_ = remote.EncodeReadResponse(resp, w)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestRemoteReadAuth: the bearer token and basic auth (given or in the
// URL) reach the server, and a refusal is an error naming the server,
// never the credentials.
func TestRemoteReadAuth(t *testing.T) {
	store, err := replay.ReadOpenMetrics("recording.om", recordingSpec{}.openMetrics())
	if err != nil {
		t.Fatal(err)
	}
	l := loadKnown(t)
	qs, err := replay.QueriesOf(l.Canary, l.Templates)
	if err != nil {
		t.Fatal(err)
	}
	bearer := readServer(t, store, "Bearer s3cret")
	basic := readServer(t, store, "Basic dXNlcjpwYXNz") // user:pass
	basicURL := strings.Replace(basic.URL, "http://", "http://user:pass@", 1)
	tests := []struct {
		name string
		o    replay.RemoteOptions
		fail string
	}{
		{name: "token", o: replay.RemoteOptions{URL: bearer.URL, BearerToken: "s3cret"}},
		{name: "username and password", o: replay.RemoteOptions{URL: basic.URL, Username: "user", Password: "pass"}},
		{name: "address userinfo", o: replay.RemoteOptions{URL: basicURL}},
		{name: "no credentials", o: replay.RemoteOptions{URL: bearer.URL}, fail: "401"},
		{name: "wrong token", o: replay.RemoteOptions{URL: bearer.URL, BearerToken: "guess"}, fail: "401"},
		{name: "wrong password in the address", o: replay.RemoteOptions{URL: strings.Replace(basicURL, ":pass@", ":nope@", 1)}, fail: "401"},
	}
	w := replay.WindowOf(knownStart.Add(-time.Hour), knownStart.Add(time.Hour))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := replay.FromPrometheus(context.Background(), tc.o, qs.Selectors(), w)
			if tc.fail != "" {
				if err == nil || !strings.Contains(err.Error(), tc.fail) || strings.Contains(err.Error(), "nope") || strings.Contains(err.Error(), "guess") {
					t.Fatalf("error %v, want a %s without the credentials", err, tc.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			res, err := replay.Run(context.Background(), replay.Options{Loaded: l, Queries: qs, Recording: rec, Start: knownStart})
			if err != nil || res.Outcome != replay.OutcomePromoted {
				t.Fatalf("replay over remote read: %v, %v", res, err)
			}
		})
	}
}
