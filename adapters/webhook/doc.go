// Package webhook implements the core's webhook port (engine.Webhooks) and
// the delivery of event webhooks, in Flagger's protocol (docs/flagger-compatibility.md, Webhooks).
//
// # Calls
//
// [Caller.Call] POSTs the payload as JSON, "metadata" omitted when empty:
//
//	{"name":"podinfo","namespace":"default","phase":"Progressing","checksum":"7dcbc67dc5","metadata":{"cmd":"hey"}}
//
// Each attempt is bounded by the hook's timeout (10s by default); disableTLS
// skips certificate verification. A hook with retries: N makes up to N+1
// attempts (at most [RetriesMax]+1). An attempt is retried after a
// connection error (not a refused certificate, a non-HTTP scheme or too many
// redirects), a 429, or a 5xx other than 501. The wait before retry n is
// 1s × 2ⁿ, or the Retry-After seconds of a 429 or 503, never more than 30s.
// The caller's context bounds the whole call, waits included.
//
// # Outcome
//
//	status ≤ 202                     nil: the hook passed
//	203–499 but 429, and 501         the response body, e.g. "Forbidden"
//	                                 (if empty: POST <url> returned 403 Forbidden)
//	429 or 5xx, retries spent        POST <url> giving up after N attempt(s): 500: <body>
//	transport error, retries spent   POST <url> giving up after N attempt(s): Post "<url>": …
//
// Flagger counts 203–299 as failures too and keeps that. It drops the body of
// a 5xx (docs/flagger-compatibility.md, Known Flagger bugs), so a failed
// loadtester bash task shows only "giving
// up"; Fledge keeps the body, which holds the command's output. At most
// [Options.MaxBody] bytes of a body are read (1 MiB by default) and at most
// [MaxQuote] (4 KiB) are quoted; a longer one is cut, before a character the
// cut would split, and marked "…(truncated)".
// A 2xx whose body does not arrive within the timeout fails ("error reading
// body: context deadline exceeded").
//
// # Event webhooks
//
// Flagger POSTs every event to the event hooks inside the tick, so a slow
// receiver stalls the canary (docs/flagger-compatibility.md, Known Flagger
// bugs). [EventSender] queues the calls
// instead and one goroutine makes them in order; when its bounded queue is
// full it drops the event and counts it ([EventSender.Dropped]), and a
// failed call is counted and logged as "error sending event to webhook: …".
// [EventPayload] builds the payload from the event itself, its time
// included, so nothing in it reads the clock. [GlobalHook] addresses the
// controller's -event-webhook. [EventSender.Close] sends what is queued
// until its context ends.
package webhook
