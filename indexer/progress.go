package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// observer shows the indexer's progress: a progress bar when stderr is a
// terminal, a log line every few seconds otherwise, nothing but problems
// with -q.
type observer struct {
	w          io.Writer
	bar        *progressbar.ProgressBar
	log        *slog.Logger
	quiet      bool
	inputs     int
	done       int
	paragraphs int
	doneBytes  int64
	curBytes   int64
	total      int64
	lastLog    time.Time
}

func newObserver(w io.Writer, quiet bool) *observer {
	o := &observer{w: w, quiet: quiet, log: slog.New(slog.NewTextHandler(w, nil))}
	return o
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (o *observer) Start(inputs int, bytes int64) {
	o.inputs, o.total, o.lastLog = inputs, bytes, time.Now()
	if o.quiet || !isTerminal(o.w) {
		return
	}
	o.bar = progressbar.NewOptions64(bytes,
		progressbar.OptionSetWriter(o.w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetDescription("indexing"),
		progressbar.OptionClearOnFinish(),
	)
}

func (o *observer) Read(n int) {
	o.curBytes += int64(n)
	if o.bar != nil {
		o.bar.Set64(o.doneBytes + o.curBytes)
	}
	o.maybeLog()
}

func (o *observer) Input(name string, size int64, paragraphs int) {
	o.done++
	o.paragraphs += paragraphs
	o.doneBytes += size
	o.curBytes = 0
	if o.bar != nil {
		o.bar.Describe(fmt.Sprintf("pages %d/%d · paragraphs %d", o.done, o.inputs, o.paragraphs))
		o.bar.Set64(o.doneBytes)
	}
	o.maybeLog()
}

// maybeLog writes a plain progress line at most every two seconds when no
// bar is drawn.
func (o *observer) maybeLog() {
	if o.quiet || o.bar != nil || time.Since(o.lastLog) < 2*time.Second {
		return
	}
	o.lastLog = time.Now()
	o.log.Info("indexing", "pages", o.done, "of", o.inputs, "paragraphs", o.paragraphs,
		"mb", fmt.Sprintf("%.1f/%.1f", float64(o.doneBytes+o.curBytes)/1e6, float64(o.total)/1e6))
}

func (o *observer) Problem(err error) {
	if o.bar != nil {
		o.bar.Clear()
	}
	fmt.Fprintln(o.w, "warning:", err)
}

// Done removes the bar.
func (o *observer) Done() {
	if o.bar != nil {
		o.bar.Finish()
	}
}
