// Package hey reads a `hey` command line, as Flagger's load tester runs
// it, and generates its load in-process with a small pool of workers.
//
// # Commands
//
// [Parse] splits a command into words as a POSIX shell would (single and
// double quotes, backslash escapes) and reads hey's flags, with hey's
// defaults:
//
//	-z duration   send for this long; -n is then ignored (default: off)
//	-n requests   total requests (default 200), spread evenly over the workers
//	-c workers    concurrent workers (default 50, at most [MaxWorkers])
//	-q rate       requests per second per worker (default 0: no limit)
//	-m method     HTTP method (default GET)
//	-H header     "Name: value", repeatable
//	-d body       request body
//	-t seconds    per-request timeout (default 20; 0 means none)
//	-T type       Content-Type (default text/html)
//	-A accept     Accept header
//	-a user:pass  basic authentication
//	-host name    Host header
//	-disable-compression, -disable-keepalive, -disable-redirects
//
// then the target URL, which must be an absolute http or https URL. Flags
// hey has that write files or change the process (-o, -D, -cpus, -x, -h2)
// are refused with an error naming them, as are a missing URL and words
// after it. A command that is not a plain hey invocation (another program,
// or shell syntax such as a pipe, a redirection or a variable) is reported
// by [IsHey] as false: the load tester treats it as a shell command.
//
// # Load
//
// [Run] starts -c workers. Each waits for its own rate limiter (-q per
// second, burst 1, as hey's per-worker ticker) before every request. With
// -z the workers stop starting requests when the duration is up (requests
// in flight finish, bounded by -t); otherwise each sends -n/-c requests.
// Every response or transport error is reported to [Options.Observe], and
// the totals come back as a [Summary]. The caller's context stops
// everything at once.
//
// As hey does, TLS certificates are not verified (the targets are canary
// Services inside the cluster), and redirects are followed unless
// -disable-redirects is given.
package hey
