package main

import (
	"errors"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"countynews/internal/search"
)

// metrics are the server's Prometheus metrics, in a registry of its own
// (no global state: two servers in one test process do not collide).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	// panics counts panics recovered, in the search engine (a damaged
	// segment, a Bleve bug: search.PanicError) or in a handler.
	panics *prometheus.CounterVec
}

func newMetrics(h *holder) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "searchd_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "searchd_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "searchd_errors_total", Help: "Requests answered with an error, by route and status.",
		}, []string{"route", "status"}),
		panics: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "searchd_panics_total", Help: "Panics recovered into a 500 answer, by where they were raised (engine, handler).",
		}, []string{"where"}),
	}
	m.panics.WithLabelValues("engine")
	m.panics.WithLabelValues("handler")
	m.reg.MustRegister(m.requests, m.latency, m.errors, m.panics,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "searchd_index_documents", Help: "Paragraphs in the served index.",
	}, func() float64 {
		ix, release := h.acquire()
		defer release()
		return float64(ix.DocCount())
	}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "searchd_index_size_bytes", Help: "Size on disk of the served index generation.",
	}, func() float64 {
		ix, release := h.acquire()
		defer release()
		return float64(ix.SizeBytes())
	}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "searchd_index_generation", Help: "Generation number of the served index.",
	}, func() float64 { return float64(h.generation()) }))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "searchd_index_table_used",
		Help: "1 if the served index's searches run on the document table, 0 if they fall back to Bleve's facets and sorts.",
	}, func() float64 {
		ix, release := h.acquire()
		defer release()
		if ix.Table().Used {
			return 1
		}
		return 0
	}))
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "searchd_index_table_fallbacks_total",
		Help: "Index generations opened that do not fit the document table (logged with the reason).",
	}, func() float64 { return float64(h.tableFallbacks.Load()) }))
	return m
}

// middleware counts and times every request by its route pattern (not its
// URL, which would explode the label space).
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status, _ = statusOf(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		code := strconv.Itoa(status)
		m.requests.WithLabelValues(route, code).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		if status >= 400 {
			m.errors.WithLabelValues(route, code).Inc()
		}
		if errors.Is(err, search.ErrPanic) {
			m.panics.WithLabelValues("engine").Inc()
		}
		return err
	}
}

func (m *metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}
