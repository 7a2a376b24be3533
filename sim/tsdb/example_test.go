package tsdb_test

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/fledge-canary/fledge/sim/tsdb"
)

func Example() {
	store := tsdb.NewStore()
	start := time.Unix(0, 0).UTC()
	ls := labels.FromStrings("__name__", "http_requests_total", "code", "200")
	for i := range 7 { // a scrape every 10s of a counter growing 5 a second
		_ = store.Append(ls, start.Add(time.Duration(i)*10*time.Second), float64(50*i))
	}
	eng := tsdb.NewEngine(store)
	v, _, err := eng.Instant(context.Background(), `rate(http_requests_total[1m])`, start.Add(time.Minute))
	fmt.Println(v, err)
	// Output: {code="200"} => 5 @[60000] <nil>
}
