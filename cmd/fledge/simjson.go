package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// writeSimJSON writes the replays as --json prints them: every time in a
// run's result is in seconds from the scenario's start (negative during
// the canary's initialisation), as the text report shows them; the
// absolute start is result.startTime.
func writeSimJSON(w io.Writer, reports []*simReport) error {
	raw, err := json.Marshal(reports)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // counts stay exact integers
	var runs []map[string]any
	if err := dec.Decode(&runs); err != nil {
		return err
	}
	for i, r := range reports {
		if r.Result == nil {
			continue
		}
		res, ok := runs[i]["result"].(map[string]any)
		if !ok {
			return fmt.Errorf("run %s: no result object", r.Name)
		}
		delete(res, "start")
		runs[i]["result"] = secondsFrom(res, r.Result.Start)
		res["startTime"] = r.Result.Start.UTC().Format(time.RFC3339Nano)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(runs)
}

// secondsFrom replaces every timestamp in a decoded JSON value by its
// seconds from start, to the millisecond.
func secondsFrom(v any, start time.Time) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = secondsFrom(e, start)
		}
	case []any:
		for i, e := range x {
			x[i] = secondsFrom(e, start)
		}
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.Sub(start).Round(time.Millisecond).Seconds()
		}
	}
	return v
}
