package prometheus_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/fledge-canary/fledge/adapters/prometheus"
	"github.com/fledge-canary/fledge/core/engine"
)

func ExampleClient_Query() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("evaluated at", r.URL.Query().Get("time"))
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[0,"99.5"]}]}}`)
	}))
	defer srv.Close()

	c := prometheus.New(prometheus.Options{DefaultAddress: srv.URL})
	v, err := c.Query(context.Background(), engine.Query{
		PromQL: `sum(rate(osm_request_total{response_code!~"5.*"}[1m]))`,
		At:     time.Unix(1700000000, 0),
	})
	fmt.Println(v, err)
	// Output:
	// evaluated at 2023-11-14T22:13:20Z
	// 99.5 <nil>
}
