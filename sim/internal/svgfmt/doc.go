// Package svgfmt formats the numbers, times, axes and lines of Fledge's SVG
// charts, shared by the simulator's report (sim/report) and the what-if
// report (sim/whatif/whatifreport) so that their axes and numbers read
// alike.
package svgfmt
