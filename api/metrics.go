package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lpx-exchange/lpx/engine"
)

// Metrics are the node's Prometheus metrics, served on /metrics: requests
// and their latency per route, the sequencer's batch sizes, queue depth and
// journal latency, and rejected commands by code.
type Metrics struct {
	registry  *prometheus.Registry
	handler   fiber.Handler
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	batchSize prometheus.Histogram
	journal   prometheus.Histogram
	rejects   *prometheus.CounterVec
}

// NewMetrics registers the metrics; queueDepth (may be nil) is read at
// each scrape.
func NewMetrics(queueDepth func() int) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lpx_http_requests_total", Help: "HTTP requests answered, by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lpx_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route and method.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "lpx_sequencer_batch_commands", Help: "Commands per journaled batch.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}),
		journal: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "lpx_journal_append_seconds", Help: "Time to append one batch to the journal.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, 1},
		}),
		rejects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lpx_rejected_commands_total", Help: "Commands the engine refused for API clients, by code.",
		}, []string{"code"}),
	}
	reg.MustRegister(m.requests, m.latency, m.batchSize, m.journal, m.rejects,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if queueDepth != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "lpx_sequencer_queue_depth", Help: "Commands waiting in the sequencer's inbox.",
		}, func() float64 { return float64(queueDepth()) }))
	}
	m.handler = adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return m
}

// ObserveBatch is the sequencer's OnBatch hook.
func (m *Metrics) ObserveBatch(commands int, journal time.Duration) {
	m.batchSize.Observe(float64(commands))
	m.journal.Observe(journal.Seconds())
}

func (m *Metrics) rejected(code engine.Code) { m.rejects.WithLabelValues(code.String()).Inc() }

// middleware counts and times every request under its route's pattern
// (never the raw path: ids would make a series each).
func (m *Metrics) middleware(c *fiber.Ctx) error {
	began := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		if e, ok := errorOf(err); ok {
			status = e.Status
		} else {
			status = fiber.StatusInternalServerError
		}
	}
	route := c.Route().Path
	if status == fiber.StatusNotFound && route == "/" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, c.Method(), strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, c.Method()).Observe(time.Since(began).Seconds())
	return err
}

func (s *Server) metrics(c *fiber.Ctx) error {
	if s.deps.Metrics == nil {
		return Errorf("not_found", "this server keeps no metrics")
	}
	return s.deps.Metrics.handler(c)
}
