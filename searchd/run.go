package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"countynews/internal/ingest"
	"countynews/internal/search"
)

// run is the whole daemon: it reads the configuration, builds the index if
// there is none, serves until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, nil)
	if cfg.LogJSON {
		handler = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(handler)
	// The word segmenter of relaxed searches (queries typed without spaces,
	// questions) takes about a second to load: it loads while the index is
	// opened, and the daemon listens once it is ready, so that no search
	// waits for it within its time limit.
	words := search.NewWords()
	words.Preload()

	// A missing folder, or one that an interrupted first build left with
	// only its lock or a temporary generation, is built (the build
	// removes the leftovers). A folder of something else is refused by
	// the build.
	if !search.HasGeneration(cfg.Index) {
		log.Info("no index yet: building it from the embedded default corpus", "index", cfg.Index)
		sum, err := ingest.Run(ctx, ingest.Options{Index: cfg.Index})
		if err != nil {
			return fmt.Errorf("build index: %w", err)
		}
		log.Info("index built", "paragraphs", sum.Total, "seconds", sum.Seconds)
	}
	h, err := newHolderWith(ctx, cfg.Index, log, words)
	if err != nil {
		var se *search.SchemaError
		if errors.As(err, &se) {
			return err
		}
		return fmt.Errorf("open index: %w", err)
	}
	defer h.close()
	loadStart := time.Now()
	if err := words.Load(ctx); err != nil {
		return fmt.Errorf("load the word segmenter: %w", err)
	}
	log.Info("word segmenter ready", "waited_seconds", time.Since(loadStart).Seconds())

	e := newServer(cfg, h, log)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(stdout, "searchd: serving %s on http://%s\n", cfg.Index, ln.Addr())

	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reload := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case <-watchCtx.Done():
				return
			case <-hup:
				select {
				case reload <- struct{}{}:
				default:
				}
			}
		}
	}()
	watchDone := make(chan struct{})
	go func() { defer close(watchDone); h.watch(watchCtx, reload, cfg.Reload) }()
	// Stop watching, and wait for a reload under way, before the deferred
	// h.close: a swap after it would leave an open index behind.
	defer func() { stopWatch(); <-watchDone }()

	serveErr := make(chan error, 1)
	go func() { serveErr <- e.Server.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	grace := shutdownGrace(cfg)
	shutCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := e.Shutdown(shutCtx); err != nil {
		log.Warn("shutdown: requests still running were cut off", "after", grace, "err", err)
		e.Server.Close()
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// parseConfig reads flags, each with an environment variable as its
// default (SEARCHD_INDEX, SEARCHD_ADDR, ...).
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("searchd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var cors string
	fs.StringVar(&cfg.Index, "index", env("SEARCHD_INDEX", "data/index"), "index folder (built from the embedded corpus if missing) [$SEARCHD_INDEX]")
	fs.StringVar(&cfg.Addr, "addr", env("SEARCHD_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT [$SEARCHD_ADDR]")
	fs.DurationVar(&cfg.Timeout, "timeout", durationEnv(getenv, "SEARCHD_TIMEOUT", 5*time.Second), "time limit of one search; slower ones get 503 [$SEARCHD_TIMEOUT]")
	fs.DurationVar(&cfg.Reload, "reload", durationEnv(getenv, "SEARCHD_RELOAD", 2*time.Second), "how often to look for a rebuilt index (SIGHUP: at once) [$SEARCHD_RELOAD]")
	fs.BoolVar(&cfg.LogJSON, "log-json", env("SEARCHD_LOG_JSON", "") != "", "log JSON lines instead of text [$SEARCHD_LOG_JSON]")
	fs.StringVar(&cors, "cors", env("SEARCHD_CORS", ""), "comma-separated origins allowed by CORS; empty: CORS off [$SEARCHD_CORS]")
	rateDef, _ := strconv.ParseFloat(env("SEARCHD_RATE", "0"), 64)
	fs.Float64Var(&cfg.RateLimit, "rate", rateDef, "requests per second allowed per client IP; 0: no limit [$SEARCHD_RATE]")
	fs.IntVar(&cfg.RateBurst, "burst", 20, "burst allowed above -rate")
	maxDef, _ := strconv.Atoi(env("SEARCHD_MAX_SEARCHES", "0"))
	fs.IntVar(&cfg.MaxSearches, "max-searches", maxDef, "searches run at once, the others queue within -timeout; 0: two per CPU [$SEARCHD_MAX_SEARCHES]")
	var proxies string
	fs.StringVar(&proxies, "trusted-proxies", env("SEARCHD_TRUSTED_PROXIES", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client (for -rate and logs); empty: the connection's peer is the client [$SEARCHD_TRUSTED_PROXIES]")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if cfg.Timeout <= 0 || cfg.Reload <= 0 {
		return cfg, fmt.Errorf("-timeout and -reload must be positive")
	}
	for _, p := range strings.Split(proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !strings.Contains(p, "/") { // one address
			if ip := net.ParseIP(p); ip != nil && ip.To4() != nil {
				p += "/32"
			} else {
				p += "/128"
			}
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return cfg, fmt.Errorf("-trusted-proxies: %w", err)
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, n)
	}
	if cfg.MaxSearches < 0 {
		return cfg, fmt.Errorf("-max-searches must be 0 (two per CPU) or positive")
	}
	if cfg.RateLimit < 0 || cfg.RateLimit > 0 && cfg.RateBurst < 1 {
		return cfg, fmt.Errorf("-rate must be 0 (off) or positive, with -burst at least 1")
	}
	for _, o := range strings.Split(cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, o)
		}
	}
	return cfg, nil
}

func durationEnv(getenv func(string) string, name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(getenv(name)); err == nil {
		return d
	}
	return def
}

// shutdownGrace is how long a shutdown waits for requests in flight.
// Every search ends within -timeout and its answer is written within the
// server's write timeout, 10 s more: waiting that long lets every request
// finish (a fixed 15 s cut off searches allowed longer). A stream still
// open then (a long export) is cut, logged, and the exit is still clean.
func shutdownGrace(cfg config) time.Duration {
	return max(15*time.Second, cfg.Timeout+10*time.Second)
}
