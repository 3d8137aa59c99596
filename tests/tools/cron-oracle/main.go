// The cron oracle: robfig/cron v3.0.1's ParseStandard and Schedule.Next, the code Longhorn
// validates RecurringJob crons with, behind a line protocol so a Node test can ask it in bulk.
//
// stdin, one JSON object a line:  {"expr": "0 2 * * *", "after": "2026-01-01T00:00:00Z", "n": 5}
// stdout, one JSON object a line: {"ok": true, "next": ["2026-01-01T02:00:00Z", ...]}
//                              or {"ok": false, "error": "..."}
// "next" (null with an error) stops early where robfig returns the zero time (no fire time within five years).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/robfig/cron/v3"
)

type request struct {
	Expr  string `json:"expr"`
	After string `json:"after"`
	N     int    `json:"n"`
}

type answer struct {
	OK    bool     `json:"ok"`
	Next  []string `json:"next"`
	Error string   `json:"error,omitempty"`
}

func judge(req request) (ans answer) {
	// A panic in the library is a verdict too (a rejection the caller should see), not a crash.
	defer func() {
		if r := recover(); r != nil {
			ans = answer{OK: false, Error: fmt.Sprintf("panic: %v", r)}
		}
	}()
	after, err := time.Parse(time.RFC3339, req.After)
	if err != nil {
		return answer{OK: false, Error: "bad request: after: " + err.Error()}
	}
	schedule, err := cron.ParseStandard(req.Expr)
	if err != nil {
		return answer{OK: false, Error: err.Error()}
	}
	next := []string{}
	t := after.UTC()
	for i := 0; i < req.N; i++ {
		t = schedule.Next(t)
		if t.IsZero() {
			break
		}
		next = append(next, t.UTC().Format(time.RFC3339))
	}
	return answer{OK: true, Next: next}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	encoder := json.NewEncoder(out)
	for in.Scan() {
		var req request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			fmt.Fprintln(os.Stderr, "cron-oracle: bad request line:", err)
			os.Exit(2)
		}
		if err := encoder.Encode(judge(req)); err != nil {
			fmt.Fprintln(os.Stderr, "cron-oracle:", err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "cron-oracle:", err)
		os.Exit(1)
	}
}
