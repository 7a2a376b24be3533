package scenario_test

import (
	"testing"
	"time"

	"github.com/fledge-canary/fledge/sim/scenario"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text string
		want scenario.Command // Text is filled in from text
	}{{
		// The tutorial's new revision.
		text: "kubectl -n test set image deployment/podinfo podinfod=ghcr.io/stefanprodan/podinfo:6.0.1",
		want: scenario.Command{Kind: "set-image", Namespace: "test", Deployment: "podinfo", Container: "podinfod", Image: "ghcr.io/stefanprodan/podinfo:6.0.1"},
	}, {
		text: "kubectl --namespace=test set image deploy/podinfo podinfod=ghcr.io/stefanprodan/podinfo:6.0.2",
		want: scenario.Command{Kind: "set-image", Namespace: "test", Deployment: "podinfo", Container: "podinfod", Image: "ghcr.io/stefanprodan/podinfo:6.0.2"},
	}, {
		text: "kubectl set image deployments/podinfo podinfod=ghcr.io/stefanprodan/podinfo:6.0.3 --namespace test",
		want: scenario.Command{Kind: "set-image", Namespace: "test", Deployment: "podinfo", Container: "podinfod", Image: "ghcr.io/stefanprodan/podinfo:6.0.3"},
	}, {
		// The tutorial's HTTP 500s: 10 requests per second to the canary.
		text: "watch -n 0.1 curl http://podinfo-canary.test:9898/status/500",
		want: scenario.Command{Kind: "traffic", Service: "podinfo-canary", Code: 500, RPS: 10},
	}, {
		// The tutorial's latency.
		text: "watch -n 0.1 curl http://podinfo-canary.test:9898/delay/1",
		want: scenario.Command{Kind: "traffic", Service: "podinfo-canary", Code: 200, Delay: time.Second, RPS: 10},
	}, {
		// The tutorial's 404s.
		text: "watch -n 0.1 curl http://podinfo-canary.test:9898/status/404",
		want: scenario.Command{Kind: "traffic", Service: "podinfo-canary", Code: 404, RPS: 10},
	}, {
		// The load tester's hey: 10 QPS per worker, 2 workers, for 2 minutes.
		text: "hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/",
		want: scenario.Command{Kind: "traffic", Service: "podinfo-canary", Code: 200, RPS: 20, For: 2 * time.Minute},
	}, {
		// Flagger's docs' POST load test; -m and -d are read with their values.
		text: `hey -z 1m -q 5 -c 2 -m POST -d '{test: 2}' http://podinfo-canary.test:9898/echo`,
		want: scenario.Command{Kind: "traffic", Service: "podinfo-canary", Code: 200, RPS: 10, For: time.Minute},
	}, {
		// A flag without a value does not shift the others.
		text: "hey -h2 -disable-keepalive -z 30s -q 2 -c 3 http://podinfo-primary.test:9898/",
		want: scenario.Command{Kind: "traffic", Service: "podinfo-primary", Code: 200, RPS: 6, For: 30 * time.Second},
	}, {
		// Without -z, hey stops after -n requests (200 by default).
		text: "hey -q 10 -c 2 http://podinfo.test:9898/",
		want: scenario.Command{Kind: "traffic", Service: "podinfo", Code: 200, RPS: 20, For: 10 * time.Second},
	}, {
		text: "hey -n 1200 -q 10 -c 2 http://podinfo.test:9898/",
		want: scenario.Command{Kind: "traffic", Service: "podinfo", Code: 200, RPS: 20, For: time.Minute},
	}, {
		// -z wins over -n, as in hey.
		text: "hey -n 10 -z 5m -q 1 -c 1 http://podinfo.test:9898/",
		want: scenario.Command{Kind: "traffic", Service: "podinfo", Code: 200, RPS: 1, For: 5 * time.Minute},
	}, {
		// watch's default interval is 2s.
		text: "watch curl http://podinfo.test:9898/",
		want: scenario.Command{Kind: "traffic", Service: "podinfo", Code: 200, RPS: 0.5},
	}, {
		text: "watch -n0.5 curl -s http://podinfo-canary.test:9898/status/503",
		want: scenario.Command{Kind: "traffic", Service: "podinfo-canary", Code: 503, RPS: 2},
	}, {
		text: "watch --interval=1 curl http://podinfo-canary:9898/",
		want: scenario.Command{Kind: "traffic", Service: "podinfo-canary", Code: 200, RPS: 1},
	}, {
		// watch runs at most every 0.1s.
		text: "watch -n 0.01 curl http://podinfo-canary.test:9898/",
		want: scenario.Command{Kind: "traffic", Service: "podinfo-canary", Code: 200, RPS: 10},
	}, {
		// Quotes go, as the shell would take them.
		text: `watch -n 0.1 "curl http://podinfo-canary.test.svc.cluster.local:9898/status/500"`,
		want: scenario.Command{Kind: "traffic", Service: "podinfo-canary", Code: 500, RPS: 10},
	}, {
		// Other paths answer 200.
		text: "watch -n 1 curl http://podinfo-canary.test:9898/status/abc",
		want: scenario.Command{Kind: "traffic", Service: "podinfo-canary", Code: 200, RPS: 1},
	}}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := scenario.ParseCommand(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Text = tt.text
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseCommandErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		// The tutorial's acceptance test is a bash task of the load
		// tester, not a command the simulator runs as traffic.
		{"curl -sd 'test' http://podinfo-canary.test:9898/token | grep token", `"curl": the simulator runs kubectl set image, watch ... curl URL and hey`},
		{"", "empty command"},
		{"   ", "empty command"},
		{"kubectl apply -f podinfo.yaml", "want kubectl [-n NAMESPACE] set image deployment/NAME CONTAINER=IMAGE"},
		{"kubectl -n test set image deployment/podinfo", "want kubectl [-n NAMESPACE] set image deployment/NAME CONTAINER=IMAGE"},
		{"kubectl -n test set image pod/podinfo podinfod=ghcr.io/stefanprodan/podinfo:6.0.1", `"pod/podinfo": want deployment/NAME`},
		{"kubectl -n test set image podinfo podinfod=ghcr.io/stefanprodan/podinfo:6.0.1", `"podinfo": want deployment/NAME`},
		{"kubectl -n test set image deployment/podinfo podinfod", `"podinfod": want CONTAINER=IMAGE`},
		{"kubectl -n test set image deployment/podinfo =ghcr.io/stefanprodan/podinfo:6.0.1", `"=ghcr.io/stefanprodan/podinfo:6.0.1": want CONTAINER=IMAGE`},
		{"watch -n 0 curl http://podinfo-canary.test:9898/", `watch -n "0": want seconds above 0`},
		{"watch -n -1 curl http://podinfo-canary.test:9898/", `watch -n "-1": want seconds above 0`},
		{"watch -n often curl http://podinfo-canary.test:9898/", `watch -n "often": want seconds above 0`},
		{"watch -n NaN curl http://podinfo-canary.test:9898/", `watch -n "NaN": want seconds above 0`},
		{"watch -n 0.1 wget http://podinfo-canary.test:9898/", "want watch -n SECONDS curl URL"},
		{"watch -n 0.1 curl podinfo-canary.test:9898/status/500", "no http:// URL in the command"},
		{"watch -n 0.1 curl", "no http:// URL in the command"},
		{"watch -n 0.1 curl http://podinfo-canary.test:9898/status/42", `"/status/42": want /status/CODE with an HTTP status 100..599`},
		{"watch -n 0.1 curl http://podinfo-canary.test:9898/delay/-1", `"/delay/-1": want /delay/SECONDS with 0 to 86400 seconds`},
		{"hey http://podinfo-canary.test:9898/", "hey without -q floods the target: give -q QPS per worker"},
		{"hey -z 2m -c 2 http://podinfo-canary.test:9898/", "hey without -q floods the target: give -q QPS per worker"},
		{"hey -z 2 -q 10 -c 2 http://podinfo-canary.test:9898/", `hey -z "2": time: missing unit in duration "2"`},
		{"hey -z -1m -q 10 -c 2 http://podinfo-canary.test:9898/", `hey -z "-1m": want a duration ≥ 0`},
		{"hey -z 2m -q ten -c 2 http://podinfo-canary.test:9898/", `hey -q "ten": strconv.ParseFloat: parsing "ten": invalid syntax`},
		{"hey -z 2m -q 0 -c 2 http://podinfo-canary.test:9898/", `hey -q "0": want queries per second per worker, above 0`},
		{"hey -z 2m -q +Inf -c 2 http://podinfo-canary.test:9898/", `hey -q "+Inf": want queries per second per worker, above 0`},
		{"hey -z 2m -q 10 -c 0 http://podinfo-canary.test:9898/", `hey -c "0": want 1 to 1000000 workers`},
		{"hey -n 0 -q 10 -c 2 http://podinfo-canary.test:9898/", `hey -n "0": want 1 or more requests`},
		{"hey -z 2m -q 10 -c 2", "no http:// URL in the command"},
		{"ab -n 100 http://podinfo-canary.test:9898/", `"ab": the simulator runs kubectl set image, watch ... curl URL and hey`},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			c, err := scenario.ParseCommand(tt.text)
			if err == nil {
				t.Fatalf("parsed as %+v", c)
			}
			if err.Error() != tt.want {
				t.Errorf("error %q\nwant  %q", err, tt.want)
			}
		})
	}
}
