package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	config_util "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/storage/remote"
	promtsdb "github.com/prometheus/prometheus/tsdb"
)

// FromOpenMetrics reads a recording from an OpenMetrics file.
func FromOpenMetrics(file string) (*Recording, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	store, err := ReadOpenMetrics(file, data)
	if err != nil {
		return nil, err
	}
	return &Recording{Source: file, Store: store}, nil
}

// FromTSDB copies the series that selectors match, within w, from a
// Prometheus TSDB directory (opened read-only, its write-ahead log
// included: a running Prometheus may keep writing to it) or from a
// snapshot (blocks only, no write-ahead log).
func FromTSDB(ctx context.Context, dir string, selectors [][]*labels.Matcher, w Window) (*Recording, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, err
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory (a Prometheus TSDB directory or snapshot)", dir)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := os.Stat(filepath.Join(dir, "wal")); err == nil {
		db, err := promtsdb.OpenDBReadOnly(dir, "", logger)
		if err != nil {
			return nil, fmt.Errorf("open TSDB %s: %w", dir, err)
		}
		defer db.Close()
		q := storage.QueryableFunc(func(mint, maxt int64) (storage.Querier, error) { return db.Querier(mint, maxt) })
		return Copy(ctx, dir, q, selectors, w)
	}
	blocks, err := openBlocks(dir, logger)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, b := range blocks {
			_ = b.Close()
		}
	}()
	q := storage.QueryableFunc(func(mint, maxt int64) (storage.Querier, error) {
		var qs []storage.Querier
		for _, b := range blocks {
			bq, err := promtsdb.NewBlockQuerier(b, mint, maxt)
			if err != nil {
				return nil, err
			}
			qs = append(qs, bq)
		}
		return storage.NewMergeQuerier(qs, nil, storage.ChainedSeriesMerge), nil
	})
	return Copy(ctx, dir, q, selectors, w)
}

// openBlocks opens the blocks of a snapshot: the subdirectories holding a
// meta.json.
func openBlocks(dir string, logger *slog.Logger) ([]*promtsdb.Block, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var blocks []*promtsdb.Block
	for _, e := range entries {
		bdir := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(bdir, "meta.json")); !e.IsDir() || err != nil {
			continue
		}
		b, err := promtsdb.OpenBlock(logger, bdir, nil, promtsdb.DefaultPostingsDecoderFactory)
		if err != nil {
			for _, open := range blocks {
				_ = open.Close()
			}
			return nil, fmt.Errorf("open TSDB block %s: %w", bdir, err)
		}
		blocks = append(blocks, b)
	}
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%s holds no TSDB blocks and no wal (is it a Prometheus data directory or snapshot?)", dir)
	}
	return blocks, nil
}

// RemoteOptions are how to reach a Prometheus' remote-read API.
type RemoteOptions struct {
	// URL is the server's base URL (…/api/v1/read is appended); a
	// user:password in it is sent as basic auth.
	URL string
	// BearerToken, else Username and Password, authenticate as a
	// MetricTemplate provider's secret does (keys token, or username and
	// password).
	BearerToken        string
	Username, Password string
	// Timeout bounds each read (default 1m).
	Timeout time.Duration
}

// FromPrometheus copies the series that selectors match, within w, from a
// live Prometheus through its remote-read API with Prometheus' own client.
func FromPrometheus(ctx context.Context, o RemoteOptions, selectors [][]*labels.Matcher, w Window) (*Recording, error) {
	client, display, err := remoteClient(o)
	if err != nil {
		return nil, err
	}
	q := remote.NewSampleAndChunkQueryableClient(client, labels.EmptyLabels(), nil, true,
		func() (int64, error) { return 0, nil })
	rec, err := Copy(ctx, display, q, selectors, w)
	if err != nil {
		return nil, fmt.Errorf("remote read: %w", err)
	}
	return rec, nil
}

func remoteClient(o RemoteOptions) (remote.ReadClient, string, error) {
	base, err := url.Parse(o.URL)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, "", fmt.Errorf("--prometheus %q: want a URL such as http://prometheus.monitoring:9090", o.URL)
	}
	display := base.Redacted()
	hc := config_util.HTTPClientConfig{FollowRedirects: true, EnableHTTP2: true}
	switch {
	case o.BearerToken != "":
		hc.Authorization = &config_util.Authorization{Type: "Bearer", Credentials: config_util.Secret(o.BearerToken)}
	case o.Username != "" || o.Password != "":
		hc.BasicAuth = &config_util.BasicAuth{Username: o.Username, Password: config_util.Secret(o.Password)}
	case base.User != nil:
		pass, _ := base.User.Password()
		hc.BasicAuth = &config_util.BasicAuth{Username: base.User.Username(), Password: config_util.Secret(pass)}
	}
	base.User = nil
	readURL := base.JoinPath("api", "v1", "read")
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	client, err := remote.NewReadClient("fledge-replay", &remote.ClientConfig{
		URL: &config_util.URL{URL: readURL}, Timeout: model.Duration(timeout), HTTPClientConfig: hc,
		ChunkedReadLimit: chunkedReadLimit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("--prometheus %s: %w", display, err)
	}
	return client, display, nil
}

// chunkedReadLimit bounds a streamed remote-read frame, as Prometheus'
// remote_read configuration does by default (50 MB).
const chunkedReadLimit = 50_000_000

// errNoData is the error of a recording without samples in the window.
var errNoData = errors.New("no data")
