// Package prometheus implements the core's metrics port (engine.Metrics)
// over the Prometheus HTTP API, with net/http and encoding/json only.
//
// # Queries
//
// [Client.Query] asks one server for one instant value:
//
//	GET <address path>/api/v1/query?query=<PromQL>&time=<q.At, RFC 3339>
//
// The server is the MetricTemplate's provider address when the query comes
// from a template that sets one, else the Source's address (the Canary's
// metricsServer), else [Options.DefaultAddress] (-metrics-server). The time
// parameter is always sent when q.At is set: the core's clock decides the
// evaluation instant, so a replayed tick asks the same question. (Flagger
// sends no time and gets whatever the server's clock says.) The query text
// is sent as rendered; PromQL does not mind newlines.
//
// Every request has its own deadline, [Options.Timeout] (5s by default,
// at most [MaxTimeout]).
//
// # Answers
//
//	vector, no series      engine.ErrNoValues ("no values found")
//	vector, one series     its value
//	vector, several series error "query returned N series, expected one"
//	scalar                 its value
//	matrix, string         error
//	value NaN              engine.ErrNoValues
//	value +Inf or -Inf     ±Inf (the core fails the check on it)
//	status neither "success" nor "error", malformed JSON, a value that is
//	not a number           error "error unmarshaling result: …"
//	status >= 400          error "error response: Status 503 Service Unavailable: <body>",
//	                       where a Prometheus JSON error body is shown as "<errorType>: <error>"
//	no answer in time      error "request failed: …: context deadline exceeded"
//
// ±Inf is decided in one place, the core (decide.judgeWith): it is a value,
// not a transport fault, so the adapter passes it on and every Metrics
// implementation (this one, the simulator's) gets the same verdict, a
// failed check "… returned +Inf, not a value that can be judged". Flagger
// accepts +Inf and compares it, so a success rate of +Inf passes there.
//
// Every error is one line of bounded length: an error body is quoted up to
// 1 KiB and an error's whole text is cut at 4 KiB, so a server cannot put
// megabytes into an event through a long body, resultType or sample value.
// An answer larger than 8 MiB is refused, and of an error answer (status
// >= 400) at most 64 KiB is read.
//
// Two of these differ from Flagger on purpose (docs/flagger-compatibility.md,
// Known Flagger bugs). Flagger takes
// the last series of a multi-series vector, which depends on the order the
// server happens to return; Fledge refuses the query, so a template that
// forgot its sum() fails loudly instead of judging an arbitrary pod. Flagger
// cannot decode scalar results; Fledge accepts them, so scalar(…) and plain
// arithmetic work.
//
// # Templates: auth, headers, TLS
//
// A template's provider.secretRef is read from the template's namespace
// (the Canary's when the template has none) through [SecretGetter] on every
// query, so a rotated secret takes effect at once. The key "token" gives
// "Authorization: Bearer <token>"; otherwise "username" and "password" give
// basic auth; otherwise the query fails. Surrounding whitespace (the newline
// of a secret created from a file) is trimmed. Secret values never appear in
// errors: the token, the password, the username and the base64 pair are
// replaced by "<redacted>" wherever a server echoes them (longest first, and
// before any text is cut, so no prefix of one survives), and the error
// returned then wraps only the sentinels a caller tests with errors.Is
// (engine.ErrNoValues, the context errors), not the unredacted original.
// The price: a
// username that also occurs in an address or query is redacted there too.
//
// provider.headers are copied into each request. The template's map, which
// belongs to the informer cache, is never written: Flagger adds the bearer
// token to that shared map on every query, so it grows without bound and
// races (docs/flagger-compatibility.md, Known Flagger bugs).
//
// provider.insecureSkipVerify uses one shared transport that skips TLS
// verification, built once; it is not rebuilt per query or per address.
package prometheus
