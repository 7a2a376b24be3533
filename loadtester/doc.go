// Package loadtester is fledge-loadtester's server: Flagger's load tester
// protocol, so that a Canary's webhooks written for Flagger's
// flagger-loadtester work unchanged.
//
// # Webhook: any path but the ones below (Flagger's url is ".../")
//
// The body is Flagger's webhook payload,
//
//	{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"…","metadata":{"cmd":"hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/"}}
//
// and metadata.type chooses the task (cmd when unset):
//
//	cmd, a plain hey command   its load is generated in-process (package hey);
//	                           202 at once, the load runs in the background
//	cmd, any other command     sh -c cmd in the background, 202 at once; needs
//	                           AllowBash, else 403 saying so
//	bash                       bash -c cmd, blocking: 200 when it exits 0 (the
//	                           output as body with returnCmdOutput: "true"),
//	                           else 500 "command <cmd> failed: <output>: <err>";
//	                           needs AllowBash, else 403 saying so
//	helm, helmv3, kubectl,     400 "unsupported type"
//	concord, ngrinder, grpc,
//	bats
//	anything else              400 "unknown type"
//
// A background task is keyed by canary (name.namespace) and command: while
// one runs, the same call starts nothing and is answered 202 again, so the
// rollout hook Flagger calls on every analysis tick starts one load, and a
// new one after it ends. Tasks run at most CommandTimeout (-timeout, 1h);
// a bash task at most metadata.timeout when that is set and shorter, and
// it is killed (with its process group) when the caller hangs up: the
// controller has stopped waiting for it. logCmdOutput: "true" logs a
// command's output (a hey task's summary: requests, rate, mean latency,
// counts by status code and error).
//
// Answers 400: a body that is not JSON, a payload without name or
// namespace, empty metadata ("metadata not found in payload"), no cmd
// ("cmd not found in metadata"), a hey command with a flag or value hey
// or this package refuses (the error says which), a bad metadata.timeout.
// A namespace outside Namespaces (-namespace-regexp) is answered 403
// "Forbidden", on every endpoint that takes a payload.
//
// # Gates
//
// Keyed by the payload's name.namespace, in memory, all closed at start:
//
//	/gate/approve    200 OK, always
//	/gate/halt       403 Forbidden, always
//	/gate/check      200 Approved when the gate is open, else 403 Forbidden
//	/gate/open       202, opens it
//	/gate/close      202, closes it
//	/rollback/check  as /gate/check, for the key rollback.name.namespace
//	/rollback/open   202
//	/rollback/close  202
//
// With GateTTL (-gate-ttl) an opened gate closes by itself that long after
// it was last opened, so an approval does not carry over to the next
// rollout; Flagger's never close.
//
// # Other endpoints
//
// /healthz answers 200 OK; /metrics serves the Registry:
//
//	fledge_loadtester_requests_total{canary,code}           hey requests; code "error" when unanswered
//	fledge_loadtester_request_duration_seconds{canary}      their latency (histogram)
//	fledge_loadtester_tasks_started_total{canary,type}      type hey, cmd or bash
//	fledge_loadtester_tasks_skipped_total{canary,type}      same task already running
//	fledge_loadtester_tasks_failed_total{canary,type}       non-zero exit, timeout, or no hey request answered
//	fledge_loadtester_tasks_running{type}
//	fledge_loadtester_webhook_replies_total{path,code}      replies to webhook and gate calls
//
// # Differences from Flagger's load tester
//
// hey commands need neither a shell nor the hey binary; any other command
// needs AllowBash, which Flagger's does not have (it runs whatever it is
// sent). A hey command with bad flags is answered 400 at once, where
// Flagger's answers 202 and the failure only reaches its log. An unknown
// type is a 400, where Flagger's panics (the caller sees EOF and retries).
// A bash task with no cmd is a 400 (Flagger's runs an empty command and
// answers 200). Gates can close by themselves (GateTTL). A blocking task is
// killed when its caller hangs up, where Flagger's runs to its timeout.
// Gate calls need name and namespace (Flagger's key "." otherwise).
package loadtester
