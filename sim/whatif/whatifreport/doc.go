// Package whatifreport renders the answer of `fledge whatif` as one
// self-contained HTML page: no scripts, fonts or stylesheets from outside,
// hand-written inline SVG charts laid out with package report's axes.
//
// [Write] renders a study ([whatif.Report]): the spec and the traffic, the
// table of cases (the columns of the terminal table) with the findings
// under it, then three charts:
//
//   - detection probability against regression size: per case the share
//     of runs rolled back with its 95% Wilson interval as an error bar, on
//     a categorical axis grouped by family (5xx and 404 in percentage
//     points, latency in added time), one line per family; the healthy
//     case's point is the false-rollback rate;
//   - the healthy runs' time to promote: a histogram, bins one interval
//     wide centred on whole ticks, with the arithmetic's promotion time
//     marked;
//   - the blast radius per case: the p50 and p90 runs' failed user
//     requests, side by side.
//
// [WriteSweep] renders a sweep ([whatif.SweepReport]): the table of
// settings with the frontier marked, a scatter of the healthy time to
// promote against the blast radius with the frontier's settings
// highlighted and labelled, and each setting's study folded under it.
//
// The charts carry stable ids, classes and data- attributes, with the
// same <g class="plot"> mapping as package report's charts, so that
// package reporttest reads them back (numbers in data- attributes are
// exact, as JSON writes them):
//
//   - <svg id="detection-chart">: <circle class="point kind-KIND"
//     data-case data-kind data-size data-value data-low data-high> (value
//     and bounds are proportions; y is in percent), <path class="ci">,
//     <polyline class="series kind-KIND" data-kind>;
//   - <svg id="promote-chart">: <rect class="bin" data-from data-to
//     data-value> (seconds; the count of runs), <line class="arithmetic"
//     data-seconds>;
//   - <svg id="blast-chart">: <rect class="bar p50|p90" data-case
//     data-kind data-value>;
//   - <svg id="frontier-chart">: <circle class="point setting [frontier]"
//     data-setting data-seconds data-value>, a numbered <text
//     class="point-label" data-setting="A; B"> per spot of the frontier
//     (settings on one spot share it; placed clear of points and other
//     labels), and under the chart <span class="key-item" data-setting>
//     per frontier setting: its number and setting;
//   - tables <table id="cases-table"> and <table id="points-table">, a
//     <tr data-key="CASE or SETTING"> per row whose cells are the terminal
//     table's.
package whatifreport
