// Package alerts posts the engine's alerts (engine.Alert) to chat services
// in the payloads Flagger's notifiers send: Slack, Discord (through its
// Slack-compatible endpoint), Rocket.Chat, Microsoft Teams and Google Chat.
//
// The engine decides what to send, when and to whom; this package only
// finds where each receiver posts (an AlertProvider and its secret, read
// through a Reader, or the controller's global notifier), formats the
// message and posts it.
//
// # Delivery
//
// A Sender delivers in the background: Send queues an alert in a bounded
// buffer and returns at once, so a slow or dead chat server never delays a
// tick. One goroutine drains the queue in order. Each post is bounded by a
// timeout per attempt and retried a bounded number of times with a backoff
// on timeouts, connection errors, 429 and 5xx answers; other answers are
// final. A full queue drops the alert and counts it.
//
// # Secrets
//
// Chat webhook URLs carry their credential in the path, tokens are
// credentials and proxies may carry a password: none of them is ever put in
// an error (and so in a log or an event). Errors name the URL as RedactURL
// shows it: scheme and host only.
package alerts
