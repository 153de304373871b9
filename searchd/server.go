package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"countynews/query"
)

// config is searchd's configuration, from flags and environment variables.
type config struct {
	Index   string
	Addr    string
	Timeout time.Duration // per search request
	// MaxSearches is how many searches run at once (0: 2 per CPU); the
	// others wait their turn, first come first served, within Timeout.
	MaxSearches int
	Reload      time.Duration // how often to check the index generation
	LogJSON     bool
	CORSOrigins []string // empty: CORS off
	RateLimit   float64  // requests per second per client IP; 0: off
	RateBurst   int
	// TrustedProxies are the networks of the reverse proxies whose
	// X-Forwarded-For names the client. Empty: the client is the peer of
	// the connection, and X-Forwarded-For is ignored (anyone could send
	// one to dodge the rate limit or forge the logged address).
	TrustedProxies []*net.IPNet
}

// newServer wires the routes and middleware. It does not listen.
func newServer(cfg config, h *holder, log *slog.Logger) *echo.Echo {
	return newServerWith(cfg, h, h.acquireServed, log)
}

// newServerWith is newServer with the searches going to index (tests
// put a stand-in around the holder's index); /readyz and /metrics still
// report the holder's.
func newServerWith(cfg config, h *holder, index func() (Index, func()), log *slog.Logger) *echo.Echo {
	e := echo.New()
	e.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		trust := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			trust = append(trust, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(trust...)
	}
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(log)
	e.Server.ReadHeaderTimeout = 5 * time.Second
	e.Server.ReadTimeout = 10 * time.Second
	e.Server.WriteTimeout = cfg.Timeout + 10*time.Second
	e.Server.IdleTimeout = 60 * time.Second
	e.Server.MaxHeaderBytes = 64 << 10

	m := newMetrics(h)
	e.Pre(frontDoor(len(cfg.CORSOrigins) > 0))
	e.Use(middleware.RequestID())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRemoteIP: true, LogError: true,
		HandleError: true, // the error handler runs first, so the logged status is the real one
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			attrs := []slog.Attr{
				slog.String("method", v.Method), slog.String("uri", v.URI), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID), slog.String("remote_ip", v.RemoteIP),
			}
			if v.Error != nil {
				_, msg := statusOf(v.Error)
				attrs = append(attrs, slog.String("error", msg)) // the public message: no stack traces for user errors
			}
			log.LogAttrs(context.Background(), level, "request", attrs...)
			return nil
		},
	}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			m.panics.WithLabelValues("handler").Inc()
			log.Error("panic", "err", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "stack", string(stack))
			return err
		},
	}))
	e.Use(m.middleware)
	e.Use(middleware.BodyLimit("64K")) // nothing here takes a body
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	}))
	if len(cfg.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{AllowOrigins: cfg.CORSOrigins, AllowMethods: []string{http.MethodGet, http.MethodHead}}))
	}
	if cfg.RateLimit > 0 {
		e.Use(middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
			Skipper: func(c echo.Context) bool {
				p := c.Path()
				return p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(c.Request().URL.Path, "/static/")
			},
			Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
				Rate: rate.Limit(cfg.RateLimit), Burst: cfg.RateBurst, ExpiresIn: 3 * time.Minute,
			}),
			DenyHandler: func(c echo.Context, _ string, _ error) error {
				return &apiError{Status: http.StatusTooManyRequests, Code: codeTooManyRequests, Message: "too many requests; slow down"}
			},
		}))
	}
	ctxTimeout := middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: cfg.Timeout})
	admit := admission(cfg.MaxSearches, heavyRequest(h))
	// Every search route gets the time limit, and inside it a place in
	// the queue of searches.
	//
	// The conditional check (ETag, 304) comes first: a request answered
	// 304 costs a hash and needs no place in the queue.
	cached := conditional(programVersion(), h.generationID)
	timeout := func(next echo.HandlerFunc) echo.HandlerFunc { return cached(ctxTimeout(admit(next))) }

	a := &api{index: index, names: builtinNames}
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", func(c echo.Context) error {
		ix, release := h.acquire()
		defer release()
		return c.JSON(http.StatusOK, map[string]any{"status": "ready", "generation": ix.Generation(), "documents": ix.DocCount()})
	})
	e.GET("/metrics", m.handler())
	// The timeout goes on each route, not on the group: a group with
	// middleware registers a catch-all route, which would answer every
	// other method with 404 instead of 405.
	g := e.Group("/api")
	g.GET("/openapi.json", serveOpenAPI, timeout)
	g.GET("/search", a.search, timeout)
	g.GET("/facets", a.facets, timeout)
	g.GET("/suggest", a.suggest, timeout)
	// An export has a longer time limit than a search (export.go).
	exportLimit := middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{Timeout: exportTimeout})
	g.GET("/export", a.export, func(next echo.HandlerFunc) echo.HandlerFunc { return cached(exportLimit(admit(next))) })
	g.GET("/articles/:id", a.article, timeout)
	g.GET("/paragraphs/:id", a.paragraph, timeout)
	g.GET("/paragraphs/:id/similar", a.similar, timeout)
	e.GET("/feed", a.feed, timeout)
	registerPages(e, a, timeout)
	e.Server.Handler = headAsGet(e)
	return e
}

// admission lets at most n requests (0: two per CPU) into the handlers at
// once; the others wait in arrival order until a place is free or their
// context ends (503, "busy"). Searches are CPU-bound: when more run at
// once than there are CPUs, each gets a thin slice of the CPUs and an
// expensive one (browsing every paragraph newest first, facets over the
// whole index) runs so slowly under load that it times out. Queued in
// order, every request waits about as long as the others and then runs at
// full speed, so heavy requests finish and the throughput is the same.
//
// Requests that heavy (nil: none) calls expensive (a query whose
// estimated cost is past search.HeavyCost, similar initiatives) first
// queue in a lane of their own, n/4 places (at least one), and only then
// for a place among the n: however many clients send the worst queries,
// they hold at most a quarter of the places, and simple searches keep
// their latency.
func admission(n int, heavy func(echo.Context) bool) echo.MiddlewareFunc {
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	slots := make(chan struct{}, n)
	heavySlots := make(chan struct{}, max(1, n/4))
	take := func(c echo.Context, ch chan struct{}) error {
		select {
		case ch <- struct{}{}:
			return nil
		case <-c.Request().Context().Done():
			return &apiError{Status: http.StatusServiceUnavailable, Code: codeBusy, Message: "the server is busy; try again in a moment"}
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if heavy != nil && heavy(c) {
				if err := take(c, heavySlots); err != nil {
					return err
				}
				defer func() { <-heavySlots }()
			}
			if err := take(c, slots); err != nil {
				return err
			}
			defer func() { <-slots }()
			return next(c)
		}
	}
}

// heavyRequest tells the expensive requests for admission: similar
// initiatives (a disjunction of 25 weighted bigrams and more) and any
// request whose q costs more than the index's HeavyCost. A q that does not
// parse is not heavy: its handler answers 400 at once.
func heavyRequest(h *holder) func(echo.Context) bool {
	return func(c echo.Context) bool {
		if strings.HasSuffix(c.Path(), "/similar") {
			return true
		}
		raw := c.QueryParam("q")
		if raw == "" {
			return false
		}
		q, err := query.Parse(raw)
		if err != nil {
			return false
		}
		ix, release := h.acquire()
		defer release()
		cost, err := ix.Cost(c.Request().Context(), q)
		return err == nil && cost > ix.HeavyCost()
	}
}

// headAsGet answers HEAD as GET, as HTTP requires of every GET resource
// (Echo routes HEAD only where it is registered). The handlers see a GET;
// net/http knows the request is a HEAD and sends the headers without the
// body.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			get := *r
			get.Method = http.MethodGet
			r = &get
		}
		next.ServeHTTP(w, r)
	})
}

// isPage reports whether a request is for the HTML interface, whose errors
// are shown as a page rather than as JSON.
func isPage(c echo.Context) bool {
	p := c.Request().URL.Path
	for _, prefix := range []string{"/api/", "/healthz", "/readyz", "/metrics", "/static/"} {
		if strings.HasPrefix(p, prefix) {
			return false
		}
	}
	return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/html") || c.Request().Header.Get(echo.HeaderAccept) == ""
}

// frontDoor checks what every request carries before it is routed:
//   - a client's X-Request-ID is kept only if it looks like an ID (at most
//     maxRequestID characters of letters, digits and . _ : -); otherwise a
//     new one is made, so that a 60 KB header is neither echoed nor logged;
//   - a path with empty segments (//api/search) is read as its clean form
//     (/api/search), so that it reaches its route rather than an HTML 404;
//   - a query string that does not decode (q=%ZZ) is refused with 400,
//     where net/url would drop the pair silently and search everything;
//   - OPTIONS, other than a CORS preflight when CORS is on, is refused
//     with 405 like every method but GET and HEAD.
func frontDoor(cors bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if id := r.Header.Get(echo.HeaderXRequestID); id != "" && !validRequestID(id) {
				r.Header.Del(echo.HeaderXRequestID)
			}
			if strings.Contains(r.URL.Path, "//") {
				clean := r.URL.Path
				for strings.Contains(clean, "//") {
					clean = strings.ReplaceAll(clean, "//", "/")
				}
				r.URL.Path, r.URL.RawPath = clean, ""
			}
			if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
				return &apiError{Status: http.StatusBadRequest, Code: codeBadRequest, Message: "malformed query string: " + err.Error()}
			}
			if r.Method == http.MethodOptions && !(cors && r.Header.Get("Access-Control-Request-Method") != "") {
				return &apiError{Status: http.StatusMethodNotAllowed, Code: codeMethodNotAllowed, Message: "only GET and HEAD are allowed"}
			}
			return next(c)
		}
	}
}

// maxRequestID bounds a client's X-Request-ID.
const maxRequestID = 64

func validRequestID(id string) bool {
	if len(id) > maxRequestID {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == ':', r == '-':
		default:
			return false
		}
	}
	return true
}
