package whatifreport

// For the tests: the histogram's binning.
var (
	Histogram = histogram
	BinWidth  = binWidth
)
