package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/spf13/pflag"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	recorded "github.com/fledge-canary/fledge/sim/replay"
)

// defaultProfileWindow is --window's default: a week of traffic.
const defaultProfileWindow = "7d"

// applyMeasuredProfile measures the primary's traffic in --profile-from
// over --window and makes it the study's profile: rps, 5xx and 404 shares,
// p50 and p99; a flag given on the command line still wins. The measured
// profile is written to w. Without --profile-from it does nothing.
func applyMeasuredProfile(ctx context.Context, w io.Writer, flags *pflag.FlagSet, opts *whatifOptions, cd *v1.Canary) error {
	if opts.profileFrom == "" {
		return nil
	}
	window, err := model.ParseDuration(opts.window)
	if err != nil || window <= 0 {
		return fmt.Errorf("--window %q: want a duration such as 7d, 24h or 90m", opts.window)
	}
	ns := cd.Namespace
	if ns == "" {
		ns = "default"
	}
	p, err := measurePrimary(ctx, opts.profileFrom, ns, cd.GetPrimaryName(), time.Duration(window))
	if err != nil {
		return fmt.Errorf("--profile-from: %w", err)
	}
	fmt.Fprintf(w, "traffic profile measured from %s: %s\n", opts.profileFrom, p)
	take := func(flag string, apply func()) {
		if !flags.Changed(flag) {
			apply()
		}
	}
	prof := &opts.profile
	// Rounded as printed: the profile is a measurement, not a constant.
	take("rps", func() { prof.RPS = roundTo(p.RPS, 100) })
	take("error-rate", func() { prof.ErrorRate = roundTo(p.ErrorRate, 1000) })
	take("not-found-rate", func() { prof.NotFoundRate = roundTo(p.NotFoundRate, 1000) })
	take("p50", func() { prof.P50 = p.P50.Round(time.Microsecond) })
	take("p99", func() { prof.P99 = p.P99.Round(time.Microsecond) })
	return nil
}

// roundTo rounds x to 1/per.
func roundTo(x, per float64) float64 { return math.Round(x*per) / per }

// measurePrimary reads the source (a Prometheus URL, a TSDB directory or
// an OpenMetrics file) and measures the primary's profile.
func measurePrimary(ctx context.Context, source, ns, primary string, window time.Duration) (recorded.TrafficProfile, error) {
	selectors := recorded.ProfileSelectors(ns, primary)
	var rec *recorded.Recording
	var err error
	end := time.Time{}
	switch st, statErr := os.Stat(source); {
	case strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://"):
		end = time.Now()
		rec, err = recorded.FromPrometheus(ctx, recorded.RemoteOptions{URL: source}, selectors, recorded.WindowOf(end.Add(-window), end))
	case statErr != nil:
		return recorded.TrafficProfile{}, statErr
	case st.IsDir():
		rec, err = recorded.FromTSDB(ctx, source, selectors, recorded.All)
	default:
		rec, err = recorded.FromOpenMetrics(source)
	}
	if err != nil {
		return recorded.TrafficProfile{}, err
	}
	return recorded.MeasureProfile(ctx, rec, ns, primary, window, end)
}
