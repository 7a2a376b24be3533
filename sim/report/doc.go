// Package report renders simulator runs as one self-contained HTML page.
//
// Write takes the runs of `fledge sim` (each a scenario's Result and the
// expectations it broke) and writes a single HTML document with no external
// scripts, fonts or stylesheets: per run a PASS/FAIL title with the failed
// expectations, the canary's final status, hand-written inline SVG charts
// over virtual time since the scenario's start (canary weight with the
// events marked on it, then one chart per metric check with its thresholds
// and failing points in red), and the event table.
//
// The SVG carries stable ids, classes and data- attributes so that tests
// can read the charts back from the DOM:
//
//   - <svg id="weight-chart-RUN" class="chart weight-chart"> and
//     <svg id="METRIC-chart-RUN" class="chart metric-chart" data-metric="...">;
//   - <g class="plot" data-x0 data-x1 data-y0 data-y1 data-xmin data-xmax
//     data-ymin data-ymax>: the plot area in pixels and the domain it shows
//     (seconds since the start on x), to turn points back into values;
//   - <polyline class="weight"> (a step line) and <circle class="route"
//     data-time data-weight> per router write;
//   - <polyline class="series">, <circle class="check pass|fail|no-data|error"
//     data-metric data-time data-value> per check;
//   - <line class="threshold min|max" data-value>;
//   - <g class="event normal|warning" data-time data-message> per event.
//
// Times are seconds (data-time) or m:ss (labels) since Result.Start.
package report
