package whatif

// For the tests: the frontier's marking.
var MarkFrontier = markFrontier
